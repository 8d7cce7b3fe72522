#pragma once
// The steady state as the solver returns it: values in the ordering of a StateSpace, the same on
// every rank that holds it. Every observable of physics.md is the expectation value of an
// excitation-conserving operator, so only balanced-block elements enter; elements outside the
// space read as zero.
#include <complex>
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
    if (!dense_.empty()) return dense_[m * space_->hilbert_dimension() + n];
    const auto i = space_->index(m, n);
    return i < 0 ? Complex{} : values_[static_cast<std::size_t>(i)];
  }
  Complex trace() const;
  void scale(Complex factor);

  // Tr[M rho] for a monomial, Tr[X rho] for a sum of them.
  Complex expectation(const Monomial &M) const;
  Complex expectation(const Operator &X) const;

  // max |rho_mn - conj(rho_nm)|
  double hermiticity_error() const;
  // Smallest eigenvalue of the Hermitian part; rho is block-diagonal in the excitation number,
  // so this diagonalises blocks of size C(2N, k) only.
  double min_eigenvalue() const;
  double purity() const;                    // Tr rho^2
  double l1_coherence() const;              // sum of |rho_mn| over m != n
  double excited_population(int bit) const; // <sigma+ sigma-> of one qubit

private:
  void fill_dense();

  const StateSpace *space_;
  std::vector<Complex> values_;
  // Up to dense_max_hilbert (N <= 3) also rho as a full matrix, zero outside the space: the
  // observables read a few thousand elements per point, and a direct read beats StateSpace::index.
  static constexpr Bits dense_max_hilbert = 64;
  std::vector<Complex> dense_;
};

// rho_0 of p.initial_state in `space`: the product over the 2N qubits of diag(1 - p_i, p_i), p_i =
// p.initial_population(i) (diagonal, so it lies in the balanced block). Unit trace.
DensityMatrix initial_density_matrix(const SystemParameters &p, const StateSpace &space);

} // namespace nessmap
