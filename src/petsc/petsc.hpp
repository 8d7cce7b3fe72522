#pragma once
// Thin C++ layer over PETSc/SLEPc: one error macro that turns a PETSc error code into an exception
// carrying PETSc's own message, and move-only owners for the objects.
#include <petscconf.h>
#if !defined(PETSC_USE_COMPLEX)
#error "nessmap needs PETSc built with complex scalars. On Debian: apt-get install libpetsc-complex-dev libslepc-complex3.18-dev (or point PETSC_DIR/PETSC_ARCH at a complex build)."
#endif
#include <petscksp.h>
#include <petscmat.h>
#include <petscvec.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace nessmap {

class PetscFailure : public std::runtime_error {
public:
  PetscFailure(PetscErrorCode code, const std::string &what) : std::runtime_error(what), code_(code) {}
  PetscErrorCode code() const { return code_; }

private:
  PetscErrorCode code_;
};

// Throws PetscFailure with the first message PETSc reported for this error.
[[noreturn]] void throw_petsc_error(PetscErrorCode code, const char *expr, const char *file, int line);
// Installs an error handler that records PETSc's message instead of printing a traceback, so a
// failure becomes an exception (and a failed point) rather than noise on stderr. Call once after
// PetscInitialize.
void install_petsc_error_handler();

#define NESSMAP_PETSC(expr)                                                                          \
  do {                                                                                               \
    const PetscErrorCode nessmap_ierr_ = (expr);                                                     \
    if (PetscUnlikely(nessmap_ierr_)) ::nessmap::throw_petsc_error(nessmap_ierr_, #expr, __FILE__, __LINE__); \
  } while (0)

// The body of a callback that PETSc calls (a PCShell apply, a KSP monitor): a C++ exception must
// not unwind through PETSc's C frames, so it becomes a PETSc error carrying its message, which the
// NESSMAP_PETSC around the PETSc call that made the callback turns back into a PetscFailure.
template <class Body> PetscErrorCode petsc_callback(const char *name, Body &&body) noexcept {
  try {
    body();
    return 0;
  } catch (const PetscFailure &e) {
    return PetscError(PETSC_COMM_SELF, __LINE__, name, __FILE__, e.code(), PETSC_ERROR_INITIAL, "%s", e.what());
  } catch (const std::exception &e) {
    return PetscError(PETSC_COMM_SELF, __LINE__, name, __FILE__, PETSC_ERR_LIB, PETSC_ERROR_INITIAL, "%s", e.what());
  } catch (...) {
    return PetscError(PETSC_COMM_SELF, __LINE__, name, __FILE__, PETSC_ERR_LIB, PETSC_ERROR_INITIAL,
                      "unknown C++ exception");
  }
}

template <class T, PetscErrorCode (*Destroy)(T *)>
class PetscOwner {
public:
  PetscOwner() = default;
  explicit PetscOwner(T obj) : obj_(obj) {}
  PetscOwner(const PetscOwner &) = delete;
  PetscOwner &operator=(const PetscOwner &) = delete;
  PetscOwner(PetscOwner &&o) noexcept : obj_(std::exchange(o.obj_, nullptr)) {}
  PetscOwner &operator=(PetscOwner &&o) noexcept {
    if (this != &o) { reset(); obj_ = std::exchange(o.obj_, nullptr); }
    return *this;
  }
  ~PetscOwner() { reset(); }
  void reset() noexcept {
    if (obj_) (void)Destroy(&obj_);  // destructors never throw
    obj_ = nullptr;
  }
  T get() const { return obj_; }
  T *out() { reset(); return &obj_; }  // for PETSc's XxxCreate(..., &obj)
  operator T() const { return obj_; }
  explicit operator bool() const { return obj_ != nullptr; }

private:
  T obj_ = nullptr;
};

using PetscMat = PetscOwner<Mat, MatDestroy>;
using PetscVec = PetscOwner<Vec, VecDestroy>;
using PetscKSP = PetscOwner<KSP, KSPDestroy>;
using PetscScatter = PetscOwner<VecScatter, VecScatterDestroy>;

} // namespace nessmap
