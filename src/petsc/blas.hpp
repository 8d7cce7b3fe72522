#pragma once
// The dense kernels under PETSc, MUMPS and the Sylvester preconditioner's gemm calls come from
// whichever BLAS the system's libblas.so.3 is. Debian 12's OpenBLAS (0.3.21, DYNAMIC_ARCH) picks
// its kernels by CPU model and falls back to the generic SSE3 "Prescott" ones on a model it does
// not know, although the CPU has AVX2 or AVX-512. Measured on this project's VMs (Intel Xeon,
// family 6 model 207, AVX-512): OpenBLAS chose Prescott, and the N = 4 strong-coupling test (three
// MUMPS factorisations of 12,870 rows) took 245 s; with OPENBLAS_CORETYPE=SkylakeX 64 s, with
// Haswell 106 s.

namespace nessmap {

// When the process runs on OpenBLAS's generic kernels although the CPU has AVX2 and FMA (or
// AVX-512 F/CD/BW/DQ/VL), sets OPENBLAS_CORETYPE to Haswell (SkylakeX) and executes the program
// again from /proc/self/exe with the same arguments: OpenBLAS reads that variable only when it
// is loaded. Does nothing when OPENBLAS_CORETYPE is already set (the user's choice wins: set it to
// any kernel name, Prescott included, to keep OpenBLAS's own choice), when the BLAS is not
// OpenBLAS, or when the exec fails (the program then goes on with the kernels it has).
// Call first thing in main, before MPI or PETSc start: the exec replaces the process in place
// (same pid, so a rank started by mpirun or srun stays that rank).
void use_fast_blas_kernels(char **argv);

// "OpenBLAS <version> <kernels>" (as OpenBLAS reports them), or "" when the BLAS is not OpenBLAS.
const char *blas_kernels();

} // namespace nessmap
