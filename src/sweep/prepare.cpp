#include "sweep/prepare.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "point/point_config.hpp"
#include "sweep/identity.hpp"

namespace nessmap {

std::string journal_path(const SweepConfig &config, const SweepOptions &options) {
  if (options.slabs > 1)
    return config.output.path + ".slab-" + std::to_string(options.slab) + "-of-" + std::to_string(options.slabs) +
           ".journal";
  return config.output.path + ".journal";
}

std::vector<std::string> slab_journals(const std::string &output) {
  namespace fs = std::filesystem;
  const fs::path out(output);
  const std::string prefix = out.filename().string() + ".slab-";
  std::vector<std::string> found;
  std::error_code ec;
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  for (const auto &entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && name.size() > 8 && name.ends_with(".journal")) found.push_back(entry.path().string());
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::int64_t slab_begin(std::int64_t tasks, const SweepOptions &options) { return tasks * options.slab / options.slabs; }
std::int64_t slab_end(std::int64_t tasks, const SweepOptions &options) { return tasks * (options.slab + 1) / options.slabs; }

Preparation prepare(const SweepConfig &config, const SweepOptions &options, const Grid &grid, SweepResults &results,
                    const std::string &identity) {
  namespace fs = std::filesystem;
  Preparation prep;
  const std::string path = journal_path(config, options);
  const fs::path parent = fs::path(config.output.path).parent_path();
  std::error_code ec;
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (ec) throw ConfigError(config.output.path + ": output.path: cannot create directory " + parent.string() + ": " + ec.message());
  prep.lock = std::make_unique<OutputLock>(options.slabs > 1 ? path : config.output.path);

  std::optional<JournalContents> existing;
  if (!options.restart) existing = read_journal(path);
  if (options.resume && !existing)
    throw ConfigError(path + ": --resume: there is no journal to resume (run without --resume to start)");
  if (existing) {
    if (existing->identity != identity)
      throw ConfigError(path + ": the journal was written for a different sweep, so it cannot be resumed: " +
                        identity_difference(existing->identity, identity) +
                        ". Run with --restart to discard it, or set output.path to another file");
    for (const auto &frame : existing->frames) prep.from_journal += store_records(results, frame);
    if (existing->file_size > existing->valid_size)
      prep.notes.push_back("discarded " + std::to_string(existing->file_size - existing->valid_size) +
                           " bytes at the end of " + path + " (a write cut short)");
    prep.journal.emplace(JournalWriter::resume(path, existing->valid_size));
    prep.notes.push_back("resuming: " + std::to_string(prep.from_journal) + " points from " + path);
  } else {
    prep.journal.emplace(JournalWriter::create(path, identity));
  }

  // A run over the whole grid merges what slab runs (job arrays) have computed.
  if (options.slabs == 1 && !options.restart) {
    for (const auto &slab : slab_journals(config.output.path)) {
      const auto contents = read_journal(slab);
      if (!contents) continue;
      if (contents->identity != identity)
        throw ConfigError(slab + ": this slab journal was written for a different sweep: " +
                          identity_difference(contents->identity, identity) + ". Move it away to go on");
      std::int64_t added = 0;
      for (const auto &frame : contents->frames) {
        const auto n = store_records(results, frame);
        if (n > 0) prep.journal->append(frame);
        added += n;
      }
      prep.from_journal += added;
      prep.notes.push_back("merged " + std::to_string(added) + " points from " + slab);
    }
    prep.journal->sync();
  }

  const std::int64_t tasks = grid.size();
  for (std::int64_t t = slab_begin(tasks, options), end = slab_end(tasks, options); t < end; ++t)
    if (!results.has(grid.task_index(t))) prep.pending.push_back(t);
  return prep;
}

} // namespace nessmap
