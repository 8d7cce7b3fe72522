#pragma once
// The steady state as the solver returns it: values in the ordering of a StateSpace, the same on
// every rank that holds it. Every observable of physics.md is the expectation value of an
// excitation-conserving operator, so only balanced-block elements enter; elements outside the
// space read as zero.
#include <cmath>
#include <complex>
#include <map>
#include <vector>

#include "model/master_equation.hpp"
#include "model/state_space.hpp"

namespace nessmap {

// Keeps a pointer to `space`, which must outlive it; `values` has space.dimension() entries. Serial:
// no MPI, nothing thrown except std::bad_alloc and LAPACK failures (std::runtime_error).
class DensityMatrix {
public:
  // `dense`: also keep the full matrix up to dense_max_hilbert (for observables that read many
  // elements); a correction only summed over once does without.
  DensityMatrix(const StateSpace &space, std::vector<Complex> values, bool dense = true);

  const StateSpace &space() const { return *space_; }
  const std::vector<Complex> &values() const { return values_; }

  Complex operator()(Bits m, Bits n) const {
    if (!dense_.empty()) return dense_[static_cast<std::size_t>(m * space_->hilbert_dimension() + n)];
    const auto i = space_->index(m, n);
    if (i < 0) return Complex{};
    const auto *b = space_->symmetric();
    return b ? values_[static_cast<std::size_t>(i)] / std::sqrt(b->multiplicity(i)) : values_[static_cast<std::size_t>(i)];
  }
  Complex trace() const;
  void scale(Complex factor);

  // Tr[M rho] for a monomial, Tr[X rho] for a sum of them. In the symmetric space a monomial's
  // value depends only on its pattern (the one-unit operators it puts on each species), which is
  // computed once per state and kept.
  Complex expectation(const Monomial &M) const;
  Complex expectation(const Operator &X) const;
  // The sum of |Im rho_mn| over the elements Tr[M rho] adds up (the rounding level of Im Tr[M rho]).
  double imaginary_magnitude(const Monomial &M) const;
  // The 2-norm of the functional x -> Tr[M rho(x)] in the space's coordinates x (values()): an
  // error known only as ||dx||_2 <= e moves Tr[M rho] by at most functional_norm(M) e. Balanced
  // and full: sqrt(2^(qubits M leaves free)) (an upper bound); symmetric: sqrt(sum_i c_i^2) (with
  // orthonormal coordinates either way, as for rho's Frobenius norm).
  double functional_norm(const Monomial &M) const;

  // max |rho_mn - conj(rho_nm)|
  double hermiticity_error() const;
  // Smallest eigenvalue of the Hermitian part; rho is block-diagonal in the excitation number,
  // so this diagonalises blocks of size C(2N, k) only. In the symmetric space beyond N = 4: the
  // smallest eigenvalue of the reduced state of the qubits h1, h2, c1, c2 (16 x 16), a necessary
  // condition of positivity.
  double min_eigenvalue() const;
  double purity() const;                    // Tr rho^2
  double l1_coherence() const;              // sum of |rho_mn| over m != n
  double excited_population(int bit) const; // <sigma+ sigma-> of one qubit

private:
  void fill_dense();
  // f(rho_{m, M m}) for every m in M's domain: the elements Tr[M rho] adds up (qubit bases).
  template <class F> void for_each_trace_element(const Monomial &M, F &&f) const;
  // Symmetric space: visit(i, c) for the classes i whose elements the monomial's trace adds up,
  // c = sqrt(M_i) times a share of class i's elements (Tr[M rho] = sum y_i c over the visits).
  // One operator per unit a monomial touches, in the unit's level bits (symmetric space).
  struct UnitOp {
    int species, unit;
    Bits care = 0, value = 0, flip = 0;
  };
  std::vector<UnitOp> unit_ops(const Monomial &M) const;
  template <class F> void symmetric_trace(const std::vector<UnitOp> &ops, F &&visit) const;
  // symmetric_trace by the monomial's pattern, kept in pattern_cache_.
  Complex symmetric_cached(const Monomial &M, bool imaginary_magnitude) const;
  mutable std::map<std::vector<std::uint32_t>, Complex> pattern_cache_;
  // Classes by their number of units in off-diagonal kinds, 0 .. max_touched_units (a monomial's
  // trace reads only those with as many as it touches off the diagonal).
  static constexpr int max_touched_units = 7;
  mutable std::vector<std::vector<std::int64_t>> by_offdiagonal_;

  const StateSpace *space_;
  std::vector<Complex> values_;
  // Up to dense_max_hilbert (N <= 3) also rho as a full matrix, zero outside the space: the
  // observables read a few thousand elements per point, and a direct read beats StateSpace::index.
  static constexpr Bits dense_max_hilbert = 64;
  std::vector<Complex> dense_;
};

// rho_0 of p.initial_state in `space`: the product over the 2N qubits of diag(1 - p_i, p_i), p_i =
// p.initial_population(i) (diagonal, so it lies in the balanced block; permutation-symmetric, so
// it lies in the symmetric space, where class n has M(n) prod_units p(level)). Unit trace.
DensityMatrix initial_density_matrix(const SystemParameters &p, const StateSpace &space);

} // namespace nessmap
