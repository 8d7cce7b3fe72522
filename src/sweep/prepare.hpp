#pragma once
// What the master prepares before any point is computed: the output lock, the journal (new,
// resumed, or with the slab journals of `--slab I/K` runs merged into it), the records already
// done, and the tasks left. The master's alone: nothing here is MPI-collective.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "format/journal.hpp"
#include "sweep/grid.hpp"
#include "sweep/output_lock.hpp"
#include "sweep/results.hpp"
#include "sweep/sweep_config.hpp"
#include "sweep/sweep_options.hpp"

namespace nessmap {

struct Preparation {
  std::unique_ptr<OutputLock> lock;       // held until the Preparation is destroyed
  std::optional<JournalWriter> journal;   // open for appending (always set by prepare)
  std::int64_t from_journal = 0;          // records taken from the journal and slab journals
  std::vector<std::int64_t> pending;      // tasks (Grid task order) of this run's scope not done
  std::vector<std::string> notes;         // what was resumed, merged or discarded, for the log
};

// Creates the output's directory, takes the lock, then: reads the journal (unless --restart) and
// stores its records in `results`, or creates a journal with `identity` in its header; without
// --slab, merges every slab journal of the same output into it. Throws ConfigError (no journal
// to --resume, another run holds the lock, a journal or slab journal of a different identity,
// an uncreatable directory) and JournalError (a file that is not a journal, a failed write).
// `grid` and `results` are used during the call only.
Preparation prepare(const SweepConfig &config, const SweepOptions &options, const Grid &grid, SweepResults &results,
                    const std::string &identity);

// "<output.path>.journal", or "<output.path>.slab-I-of-K.journal" for --slab I/K.
std::string journal_path(const SweepConfig &config, const SweepOptions &options);

// The slab journals beside `output` ("<output>.slab-*.journal"), sorted by name.
std::vector<std::string> slab_journals(const std::string &output);

// The tasks of --slab I/K (all of them for 0/1): [begin, end) in task order.
std::int64_t slab_begin(std::int64_t tasks, const SweepOptions &options);
std::int64_t slab_end(std::int64_t tasks, const SweepOptions &options);

} // namespace nessmap
