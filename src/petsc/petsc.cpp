#include "petsc/petsc.hpp"

namespace nessmap {
namespace {

thread_local std::string first_message;

PetscErrorCode record_error(MPI_Comm, int line, const char *fun, const char *file, PetscErrorCode n,
                            PetscErrorType p, const char *mess, void *) {
  if (p == PETSC_ERROR_INITIAL) {
    first_message = std::string(mess ? mess : "") + " (in " + (fun ? fun : "?") + " at " +
                    (file ? file : "?") + ":" + std::to_string(line) + ")";
  }
  return n;
}

} // namespace

void install_petsc_error_handler() { (void)PetscPushErrorHandler(record_error, nullptr); }

void throw_petsc_error(PetscErrorCode code, const char *expr, const char *file, int line) {
  const char *text = nullptr;
  (void)PetscErrorMessage(code, &text, nullptr);
  std::string what = "PETSc error " + std::to_string(static_cast<int>(code));
  if (text) what += " (" + std::string(text) + ")";
  if (!first_message.empty()) what += ": " + first_message;
  what += " [" + std::string(expr) + " at " + file + ":" + std::to_string(line) + "]";
  first_message.clear();
  throw PetscFailure(code, what);
}

} // namespace nessmap
