#include "sweep/provenance.hpp"

#include <mpi.h>
#include <slepcsys.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>

#include "petsc/blas.hpp"
#include "version.hpp"

namespace nessmap {

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

std::vector<netcdf::Attribute> provenance(const SweepConfig &config, const SweepOptions &options, int ranks,
                                          const std::string &start, double wall, double compute,
                                          std::int64_t resumed) {
  char petsc[256] = "", slepc[256] = "", mpi[MPI_MAX_LIBRARY_VERSION_STRING] = "", host[256] = "";
  PetscGetVersion(petsc, sizeof petsc);
  SlepcGetVersion(slepc, sizeof slepc);
  int len = 0;
  MPI_Get_library_version(mpi, &len);
  std::string mpi_text(mpi, static_cast<std::size_t>(std::max(0, len)));
  while (!mpi_text.empty() && (mpi_text.back() == '\n' || mpi_text.back() == '\0')) mpi_text.pop_back();
  gethostname(host, sizeof host - 1);
  std::vector<netcdf::Attribute> a = {
      {"nessmap_version", std::string(nessmap_version)},
      {"config_file", config.base.source},
      {"config_yaml", config.yaml_text},
      {"config_overrides", [&] {
         std::string s;
         for (const auto &o : config.overrides) s += (s.empty() ? "" : "\n") + o;
         return s;
       }()},
      {"solver_options", options.solver_options},
      {"command_line", options.command_line},
      {"petsc_version", std::string(petsc)},
      {"slepc_version", std::string(slepc)},
      {"mpi_version", mpi_text},
      {"blas_kernels", std::string(blas_kernels())},  // OpenBLAS's version and kernels, "" for another BLAS
      {"mpi_ranks", std::int64_t{ranks}},
      {"ranks_per_point", std::int64_t{config.ranks_per_point}},
      {"hostname", std::string(host)},
      {"start_time", start},
      {"end_time", utc_now()},
      {"wall_seconds", wall},
      {"compute_seconds", compute},
      {"points_from_journal", std::int64_t{resumed}},
  };
  // Where it ran under SLURM: the job (and array task) that holds the log.
  for (const char *var : {"SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID", "SLURM_JOB_NODELIST"}) {
    if (const char *v = std::getenv(var)) {
      std::string name = var;
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      a.push_back({name, std::string(v)});
    }
  }
  return a;
}

} // namespace nessmap
