// The BLAS kernels (petsc/blas.hpp): on a CPU with AVX2 the program runs OpenBLAS's AVX2 or AVX-512
// kernels, not the generic SSE3 ones OpenBLAS falls back to on a model it does not know, and a
// kernel named by the caller in OPENBLAS_CORETYPE is kept. Each case starts this test program anew
// (its main calls use_fast_blas_kernels) and reads the kernels the new process reports.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

#include <unistd.h>

#include "petsc/blas.hpp"

using namespace nessmap;

namespace {

// The kernels a fresh run of this program reports, started through `env` with `environment`.
std::string kernels_of_new_process(const std::string &environment) {
  const std::string command = "env " + environment + " /proc/" + std::to_string(getpid()) +
                              "/exe '[blas_probe]' 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE *)> pipe(popen(command.c_str(), "r"), pclose);
  REQUIRE(pipe);
  std::string out;
  std::array<char, 256> buffer;
  while (fgets(buffer.data(), buffer.size(), pipe.get())) out += buffer.data();
  const auto at = out.find("kernels: ");
  if (at == std::string::npos) return "";
  return out.substr(at + 9, out.find('\n', at) - at - 9);
}

bool generic(const std::string &core) {
  for (const char *name : {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Sandybridge"})
    if (core == name) return true;
  return false;
}

} // namespace

TEST_CASE("blas probe: prints the kernels of this process", "[.][blas_probe]") {
  std::cout << "kernels: " << blas_kernels() << std::endl;
}

TEST_CASE("OpenBLAS runs vector kernels where the CPU has them, and the caller's choice wins", "[petsc][blas]") {
  const std::string automatic = kernels_of_new_process("-u OPENBLAS_CORETYPE");
  INFO("kernels chosen without OPENBLAS_CORETYPE: '" << automatic << "'");
  if (automatic.rfind("OpenBLAS", 0) != 0) {
    WARN("the BLAS is not OpenBLAS: nothing to check");
    return;
  }
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    CHECK_FALSE(generic(automatic.substr(automatic.rfind(' ') + 1)));
#endif
  const std::string chosen = kernels_of_new_process("OPENBLAS_CORETYPE=Prescott");
  CHECK(chosen.substr(chosen.rfind(' ') + 1) == "Prescott");
}
