#include "model/monomial.hpp"

#include <bit>
#include <stdexcept>

namespace nessmap {

int Monomial::excitation_change() const {
  // Flipped qubits that start in 0 are raised, those that start in 1 are lowered.
  const int raised = popcount(flip & ~value);
  const int lowered = popcount(flip & value);
  return raised - lowered;
}

std::optional<Monomial> product(const Monomial &a, const Monomial &b) {
  // x passes b if (x & b.care) == b.value; then y = x ^ b.flip must pass a:
  // (x & a.care) == a.value ^ (b.flip & a.care).
  const Bits need_a = (a.value ^ b.flip) & a.care;
  const Bits overlap = a.care & b.care;
  if ((need_a & overlap) != (b.value & overlap)) return std::nullopt;
  return Monomial{a.care | b.care, b.value | need_a, a.flip ^ b.flip};
}

Monomial product_nonzero(const Monomial &a, const Monomial &b) {
  auto p = product(a, b);
  if (!p) throw std::logic_error("product of monomials unexpectedly zero");
  return *p;
}

} // namespace nessmap
