#include "app/commands.hpp"

#include <petscsys.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <stdexcept>

#include "app/estimate.hpp"
#include "config/config.hpp"
#include "point/point.hpp"
#include "point/point_json.hpp"
#include "solver/steady_state.hpp"

namespace nessmap::app {

const char *const usage =
    "usage: nessmap point CONFIG.yaml [--set section.key=VALUE ...] [PETSc/SLEPc options]\n"
    "       mpirun -n P nessmap sweep CONFIG.yaml [--set ...] [sweep options] [PETSc/SLEPc options]\n"
    "       nessmap estimate CONFIG.yaml [--set ...] [--ranks-per-point K] [PETSc/SLEPc options]\n"
    "\n"
    "  point     solve one parameter point and print its observables as one JSON object\n"
    "            (a sweep config solves its base point: the system section as written)\n"
    "  estimate  print the dimension, nonzeros and memory of one point of each family of a point\n"
    "            or sweep config, and exit 2 if one does not fit in this machine's memory; with\n"
    "            --ranks-per-point K (or the sweep's ranks_per_point) the memory per rank of a point\n"
    "            split over K ranks, and exit 2 only if a rank does not fit in a machine like this\n"
    "  sweep     solve every point of the grid in the config's sweep section and write\n"
    "            output.path (HDF5/netCDF-4); finished points go to output.path.journal first\n"
    "\n"
    "  --set KEY=VALUE          override a value of the YAML (parsed as YAML: --set system.g_h=[0.5,0.6],\n"
    "                           --set sweep.axes.omega_ratio.num=50, --set output.path=out.h5)\n"
    "sweep options:\n"
    "  --ranks-per-point K      solve each point on K ranks (a distributed matrix); sets\n"
    "                           sweep.ranks_per_point\n"
    "  --resume                 require a journal to resume (by default one is resumed if present)\n"
    "  --restart                discard an existing journal and start again\n"
    "  --slab I/K               compute only the I-th (0-based) of K slices of the points, into its\n"
    "                           own journal; a later run without --slab merges the slabs\n"
    "  --quiet                  no progress output\n"
    "  --progress-interval S    seconds between progress lines when stderr is not a terminal (5)\n"
    "\n"
    "  PETSc options select and tune the solvers, e.g. -ksp_type gmres -pc_type ilu,\n"
    "  -pc_factor_mat_solver_type superlu, -eps_tol 1e-12, -log_view.\n"
    "\n"
    "sweep exit status: 0 complete (failed points are recorded in the file), 1 error, 2 bad input,\n"
    "3 interrupted by SIGTERM/SIGUSR1/SIGINT: run the same command again to compute the rest.\n";

namespace {

int parse_int(const std::string &option, const std::string &text, int lo) {
  std::size_t used = 0;
  int v = 0;
  try {
    v = std::stoi(text, &used);
  } catch (const std::exception &) {
    used = 0;
  }
  if (used != text.size() || text.empty() || v < lo)
    throw std::invalid_argument(option + " needs an integer >= " + std::to_string(lo) + ", got '" + text + "'");
  return v;
}

} // namespace

Arguments parse_arguments(int argc, char **argv) {
  Arguments a;
  a.petsc.push_back(argv[0]);
  for (int k = 0; k < argc; ++k) a.command_line += (k ? " " : "") + std::string(argv[k]);
  a.sweep.command_line = a.command_line;
  if (argc < 2) throw std::invalid_argument("missing command");
  a.command = argv[1];
  int i = 2;
  if (i < argc && argv[i][0] != '-') a.config = argv[i++];
  std::vector<std::size_t> from_flag;  // positions in overrides that --ranks-per-point added
  for (; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--set") {
      if (i + 1 >= argc) throw std::invalid_argument("--set needs KEY=VALUE");
      a.overrides.emplace_back(argv[++i]);
    } else if (arg.rfind("--set=", 0) == 0) {
      a.overrides.push_back(arg.substr(6));
    } else if (arg == "--ranks-per-point" || arg == "--slab" || arg == "--progress-interval") {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      const std::string value = argv[++i];
      a.sweep_options.push_back(arg);
      if (arg == "--ranks-per-point") {
        a.ranks_per_point = parse_int(arg, value, 1);
        from_flag.push_back(a.overrides.size());
        a.overrides.push_back("sweep.ranks_per_point=" + value);
      } else if (arg == "--slab") {
        const auto slash = value.find('/');
        if (slash == std::string::npos) throw std::invalid_argument("--slab needs I/K, e.g. --slab 0/4, got '" + value + "'");
        a.sweep.slab = parse_int(arg + " I", value.substr(0, slash), 0);
        a.sweep.slabs = parse_int(arg + " K", value.substr(slash + 1), 1);
        if (a.sweep.slab >= a.sweep.slabs)
          throw std::invalid_argument("--slab I/K needs 0 <= I < K, got '" + value + "'");
      } else {
        char *end = nullptr;
        a.sweep.progress_interval = std::strtod(value.c_str(), &end);
        if (*end != '\0' || !(a.sweep.progress_interval > 0))
          throw std::invalid_argument("--progress-interval needs a positive number of seconds, got '" + value + "'");
      }
    } else if (arg == "--resume" || arg == "--restart" || arg == "--quiet") {
      a.sweep_options.push_back(arg);
      (arg == "--resume" ? a.sweep.resume : arg == "--restart" ? a.sweep.restart : a.sweep.quiet) = true;
    } else if (arg.rfind("--", 0) == 0) {
      throw std::invalid_argument("unknown option " + arg);
    } else {
      a.petsc.push_back(argv[i]);
    }
  }
  if (a.config.empty()) throw std::invalid_argument("missing CONFIG.yaml");
  if (a.sweep.resume && a.sweep.restart) throw std::invalid_argument("--resume and --restart contradict each other");
  if (a.command == "estimate" && a.ranks_per_point > 0) {
    // estimate reads --ranks-per-point for its memory per rank; it is no override of the YAML
    // there (a point config has no sweep section).
    for (auto k = from_flag.rbegin(); k != from_flag.rend(); ++k) a.overrides.erase(a.overrides.begin() + *k);
    std::erase(a.sweep_options, std::string("--ranks-per-point"));
  }
  if (a.command != "sweep" && !a.sweep_options.empty())
    throw std::invalid_argument(a.sweep_options.front() + " is a sweep option" +
                                (a.command == "estimate" ? " (estimate takes --ranks-per-point)" : ""));
  a.petsc.push_back(nullptr);
  return a;
}

namespace {

// A point of this family split over `ranks` ranks, `on_machine` of the ranks that solve points
// on the most crowded machine (a sweep's groups there, or a point's ranks); throws ConfigError,
// naming where N was set, when they do not fit.
void check_memory(const nessmap::PointConfig &config, int ranks = 1, int on_machine = 1) {
  const auto solver = nessmap::for_point(config.solver, config.system);
  const double available = nessmap::physical_memory_bytes();
  const int at_once = std::max(1, on_machine / ranks);  // points at once there
  const auto fits = [&](const nessmap::MemoryEstimate &est) { return fits_in_memory(est.times(on_machine), available); };
  // First with a bound on the nonzeros (no rows built); where that does not fit, with the rows
  // counted, as `nessmap estimate` does (the bound is 1.7x the count for type 1 with independent
  // baths: 32 against 19 per row), so that the two never disagree.
  auto est = nessmap::estimate_memory(config.system.N, solver, -1, ranks);
  if (fits(est)) return;
  est = nessmap::estimate_family(config.system, config.solver, ranks).memory;
  if (fits(est)) return;
  est = est.times(ranks);  // the whole point on its ranks (the messages below speak of points)
  const bool direct = est.direct;
  constexpr double GiB = 1024.0 * 1024.0 * 1024.0;
  char msg[768];
  if (at_once > 1 && fits_in_memory(est, available)) {
    std::snprintf(msg, sizeof msg,
                  "%s: system.N: N = %d (%s bath) needs about %.1f GiB a point in the %s space, and the %d "
                  "groups of ranks on one machine may solve %d such points at once: %.1f GiB, more than its "
                  "%.1f GiB; start fewer ranks per machine, or let them share points (--ranks-per-point)",
                  config.N_location.c_str(), config.system.N, nessmap::to_string(config.system.bath),
                  est.total() / GiB, nessmap::to_string(solver.space), at_once, at_once, at_once * est.total() / GiB,
                  available / GiB);
    throw nessmap::ConfigError(msg);
  }
  std::snprintf(msg, sizeof msg,
                "%s: system.N: N = %d in the %s space (dimension %llu) needs about %.1f GiB "
                "(matrix %.1f GiB%s%.1f GiB), more than this machine's %.1f GiB; use a smaller N%s",
                config.N_location.c_str(), config.system.N, nessmap::to_string(solver.space),
                static_cast<unsigned long long>(est.dimension), est.total() / GiB, est.matrix_bytes / GiB,
                direct ? ", LU factors " : ", Krylov work ", (direct ? est.factor_bytes : est.krylov_bytes) / GiB,
                available / GiB,
                !direct ? (est.method == nessmap::Method::sylvester && est.restart > 10
                               ? ", or a smaller GMRES basis (-ksp_gmres_restart 10 or 20: each vector of it is the "
                                 "state's size), or ranks on several machines (mpirun -n K; a sweep's --ranks-per-point)"
                               : "")
                : solver.space == nessmap::Space::symmetric
                    ? ", or solver.method: auto (an iterative solver in the symmetric space)"
                    : ", or the iterative solver (solver.method: sylvester)");
  throw nessmap::ConfigError(msg);
}

// nessmap's own solver options, checked before any work starts (a bad value is bad input).
void check_solver_options() {
  try {
    nessmap::sylvester_pc_option();
    if (nessmap::sylvester_matrix_option() == nessmap::SylvesterMatrix::structured)
      for (const char *rows : {"-pc_type", "-mat_type"}) {
        char value[64] = "";
        PetscBool set = PETSC_FALSE;
        NESSMAP_PETSC(PetscOptionsGetString(nullptr, nullptr, rows, value, sizeof value, &set));
        if (set)
          throw nessmap::ConfigError(std::string("option -sylvester_matrix structured: L is never assembled, so ") + rows +
                                     " " + value + " (which needs its rows) cannot act on it; use -sylvester_matrix "
                                     "assembled");
      }
  } catch (const std::invalid_argument &e) {
    throw nessmap::ConfigError(e.what());
  }
  // GMRES's restart, checked here rather than failing every point.
  PetscInt restart = 0;
  PetscBool set = PETSC_FALSE;
  try {
    NESSMAP_PETSC(PetscOptionsGetInt(nullptr, nullptr, "-ksp_gmres_restart", &restart, &set));
  } catch (const nessmap::PetscFailure &) {
    set = PETSC_TRUE;
    restart = 0;
  }
  if (set && restart < 1) {
    char value[64] = "";
    PetscOptionsGetString(nullptr, nullptr, "-ksp_gmres_restart", value, sizeof value, nullptr);
    throw nessmap::ConfigError(std::string("option -ksp_gmres_restart ") + value +
                               ": expected a positive number of vectors (the GMRES basis kept between restarts)");
  }
}

// -sylvester_pc no_jump and both need the qubit bases' excitation sectors: a family that the
// Sylvester method would solve in the symmetric space cannot have them (bad input, before any
// work, rather than a failed point).
void check_solver_space(const nessmap::PointConfig &config) {
  const auto pc = nessmap::sylvester_pc_option();
  if (pc != nessmap::SylvesterPc::no_jump && pc != nessmap::SylvesterPc::both) return;
  const auto solver = nessmap::for_point(config.solver, config.system);
  if (solver.space != nessmap::Space::symmetric ||
      nessmap::resolve_method(solver, config.system.N) != nessmap::Method::sylvester)
    return;
  throw nessmap::ConfigError(std::string("option -sylvester_pc ") + (pc == nessmap::SylvesterPc::both ? "both" : "no_jump") +
                             ": the no-jump preconditioner works in the balanced and full spaces, and N = " +
                             std::to_string(config.system.N) + " (" + nessmap::to_string(config.system.bath) +
                             " bath) is solved in the symmetric space; set solver.space: balanced, or "
                             "-sylvester_pc auto or ensembles");
}

// A misspelt option (-ksp_tyep) is otherwise silently ignored: name every option nobody read.
void warn_unused_options() {
  PetscInt n = 0;
  char **names = nullptr, **values = nullptr;
  if (PetscOptionsLeftGet(nullptr, &n, &names, &values) != 0) return;
  int rank = 0;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  for (PetscInt i = 0; i < n && rank == 0; ++i)
    std::cerr << "nessmap: warning: option -" << names[i] << (values[i] ? std::string(" ") + values[i] : "")
              << " was not used by any solver\n";
  PetscOptionsLeftRestore(nullptr, &n, &names, &values);
}

// The options in force, as text (part of a sweep's identity and provenance).
std::string solver_options() {
  char *all = nullptr;
  if (PetscOptionsGetAll(nullptr, &all) != 0 || all == nullptr) return "";
  std::string s = all;
  PetscFree(all);
  return s;
}

// The most ranks any one machine runs (collective on PETSC_COMM_WORLD).
int ranks_on_fullest_machine() {
  MPI_Comm node = MPI_COMM_NULL;
  MPI_Comm_split_type(PETSC_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
  int node_ranks = 1;
  MPI_Comm_size(node, &node_ranks);
  MPI_Comm_free(&node);
  MPI_Allreduce(MPI_IN_PLACE, &node_ranks, 1, MPI_INT, MPI_MAX, PETSC_COMM_WORLD);
  return node_ranks;
}

} // namespace

int run_sweep(Arguments &args) {
  check_solver_options();
  const auto config = nessmap::load_sweep_config(args.config, args.overrides);
  // Every family must fit before any work starts, as many points at once as the groups of ranks
  // on the most crowded machine (each group solves its own point; a group's ranks share one).
  const int node_ranks = ranks_on_fullest_machine();
  const int at_once = std::max(1, node_ranks / std::max(1, config.ranks_per_point));
  nessmap::PointConfig family = config.base;
  for (const auto &axis : config.axes)
    if (axis.name == "N") family.N_location = axis.location;
  for (const auto &base : config.structural_bases) {
    family.system = base;
    check_solver_space(family);
    check_memory(family, std::max(1, config.ranks_per_point), at_once * std::max(1, config.ranks_per_point));
  }
  args.sweep.solver_options = solver_options();
  const int status = nessmap::run_sweep(PETSC_COMM_WORLD, config, args.sweep);
  if (status != nessmap::sweep_bad_input) warn_unused_options();
  return status;
}

int run_estimate(const Arguments &args) {
  check_solver_options();
  const auto config = nessmap::load_config(args.config, args.overrides);
  // --ranks-per-point, else the sweep section's ranks_per_point.
  const int ranks = args.ranks_per_point > 0 ? args.ranks_per_point : std::max(1, config.ranks_per_point);
  const auto families = nessmap::estimate_families(config, ranks);
  const double available = nessmap::physical_memory_bytes();
  int rank = 0;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  if (rank == 0) std::cout << nessmap::estimate_report(config, families, available);
  // Split over K ranks, a point whose ranks each fit on a machine like this one is feasible.
  for (const auto &f : families)
    if (nessmap::where_it_fits(f.memory, available) == nessmap::Fit::none) return exit_bad_input;
  return 0;
}

int run_point(const Arguments &args) {
  check_solver_options();
  const auto config = nessmap::load_point_config(args.config, args.overrides);
  // mpirun -n K nessmap point: the point is split over the K ranks; those on the most crowded
  // machine must fit there.
  int ranks = 1;
  MPI_Comm_size(PETSC_COMM_WORLD, &ranks);
  check_solver_space(config);
  check_memory(config, ranks, ranks_on_fullest_machine());
  nessmap::PointEvaluator evaluator(PETSC_COMM_WORLD, config.solver);
  const auto result = evaluator.evaluate(config.system);
  int rank = 0;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  if (rank == 0) std::cout << nessmap::point_json(config, result).str() << std::endl;
  warn_unused_options();
  return result.ok() ? exit_ok : exit_failed;
}


} // namespace nessmap::app
