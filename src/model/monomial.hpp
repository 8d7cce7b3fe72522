#pragma once
// Operators as data on bit strings. A basis state of the 2N qubits is a bit string x; bit k is
// qubit k (1 = excited). Every product of sigma+, sigma- and projectors on distinct qubits is a
// "monomial": a partial permutation of basis states with coefficient 1,
//
//     M |x> = |x ^ flip>   if (x & care) == value,   0 otherwise,
//
// with flip a subset of care. Products and adjoints of monomials are monomials (or zero), so the
// whole master equation is a list of (coefficient, left monomial, right monomial) triples and no
// matrix is ever formed to build it.
#include <bit>
#include <cstdint>
#include <optional>

namespace nessmap {

// 128 bits: the 2N qubits of N <= 63 per ensemble (the symmetric space reaches N = 40 and beyond;
// the qubit bases stop at N = 15, parameters.hpp). A GCC/Clang extension, hence __extension__.
__extension__ typedef unsigned __int128 Bits;

// Number of qubits set (std::popcount takes standard unsigned types only).
inline int popcount(Bits x) {
  return std::popcount(static_cast<std::uint64_t>(x)) + std::popcount(static_cast<std::uint64_t>(x >> 64));
}

struct Monomial {
  Bits care = 0;   // qubits the operator constrains
  Bits value = 0;  // the state those qubits must be in
  Bits flip = 0;   // qubits it flips (subset of care)

  bool acts_on(Bits x) const { return (x & care) == value; }
  Bits apply(Bits x) const { return x ^ flip; }
  // Basis states this operator can produce: M|x'> = |x> for some x'.
  bool produces(Bits x) const { return (x & care) == (value ^ flip); }
  Monomial adjoint() const { return {care, value ^ flip, flip}; }
  // Net change of the excitation number (ket side).
  int excitation_change() const;

  static Monomial identity() { return {}; }
  static Monomial raise(int qubit) { const Bits b = Bits{1} << qubit; return {b, 0, b}; }
  static Monomial lower(int qubit) { const Bits b = Bits{1} << qubit; return {b, b, b}; }
  static Monomial excited(int qubit) { const Bits b = Bits{1} << qubit; return {b, b, 0}; }
  static Monomial ground(int qubit) { const Bits b = Bits{1} << qubit; return {b, 0, 0}; }

  friend bool operator==(const Monomial &a, const Monomial &b) {
    return a.care == b.care && a.value == b.value && a.flip == b.flip;
  }
};

// The operator product a*b (b acts first); empty when it is the zero operator.
std::optional<Monomial> product(const Monomial &a, const Monomial &b);
// a*b where the product is known to be nonzero (different qubits, say); throws otherwise.
Monomial product_nonzero(const Monomial &a, const Monomial &b);

} // namespace nessmap
