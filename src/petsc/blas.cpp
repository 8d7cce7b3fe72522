#include "petsc/blas.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace nessmap {
namespace {

using Name = char *(*)();

Name openblas(const char *symbol) { return reinterpret_cast<Name>(dlsym(RTLD_DEFAULT, symbol)); }

// OpenBLAS's kernels that use neither AVX2 nor AVX-512: what it falls back to on a model it does
// not know (Prescott), or older cores.
bool generic(const char *core) {
  for (const char *name : {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Sandybridge", "Atom", "Katmai",
                           "Coppermine", "Northwood", "Banias"})
    if (std::strcmp(core, name) == 0) return true;
  return false;
}

// OpenBLAS's name for the widest vector kernels this CPU runs, nullptr for none of AVX2/AVX-512.
const char *vector_kernels() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
  return nullptr;  // (the generic names above are x86 ones)
}

} // namespace

void use_fast_blas_kernels(char **argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;
  const Name corename = openblas("openblas_get_corename");
  if (corename == nullptr || !generic(corename())) return;
  const char *kernels = vector_kernels();
  if (kernels == nullptr || setenv("OPENBLAS_CORETYPE", kernels, 1) != 0) return;
  execv("/proc/self/exe", argv);
  unsetenv("OPENBLAS_CORETYPE");  // the exec failed: go on as before
}

const char *blas_kernels() {
  static const std::string text = [] {
    const Name config = openblas("openblas_get_config"), corename = openblas("openblas_get_corename");
    if (config == nullptr || corename == nullptr) return std::string();
    // The config string names the version first ("OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ...").
    std::string version = config();
    const auto space = version.find(' ', std::strlen("OpenBLAS "));
    if (space != std::string::npos) version.resize(space);
    return version + " " + corename();
  }();
  return text.c_str();
}

} // namespace nessmap
