#include "model/density_matrix.hpp"

#include <petscsys.h>
#include <petscblaslapack.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace nessmap {

DensityMatrix::DensityMatrix(const StateSpace &space, std::vector<Complex> values, bool dense)
    : space_(&space), values_(std::move(values)) {
  if (static_cast<std::int64_t>(values_.size()) != space.dimension())
    throw std::invalid_argument("DensityMatrix: value count does not match the space dimension");
  if (dense) fill_dense();
}

void DensityMatrix::fill_dense() {
  const Bits D = space_->hilbert_dimension();
  if (D > dense_max_hilbert) return;
  dense_.assign(D * D, Complex{});
  for (std::int64_t i = 0; i < space_->dimension(); ++i) {
    Bits m, n;
    space_->element(i, m, n);
    dense_[m * D + n] = values_[static_cast<std::size_t>(i)];
  }
}

Complex DensityMatrix::trace() const {
  Complex t = 0;
  for (Bits m = 0; m < space_->hilbert_dimension(); ++m) t += (*this)(m, m);
  return t;
}

void DensityMatrix::scale(Complex factor) {
  for (auto &v : values_) v *= factor;
  for (auto &v : dense_) v *= factor;
}

Complex DensityMatrix::expectation(const Monomial &M) const {
  // Tr[M rho] = sum over m in the domain of M of rho_{m, M m}. The domain is every assignment of
  // the qubits M does not constrain; enumerate those subsets directly.
  const Bits all = space_->hilbert_dimension() - 1;
  const Bits free = all & ~M.care;
  Complex sum = 0;
  Bits s = 0;
  do {
    const Bits m = s | M.value;
    sum += (*this)(m, M.apply(m));
    s = (s - free) & free;
  } while (s != 0);
  return sum;
}

Complex DensityMatrix::expectation(const Operator &X) const {
  Complex sum = 0;
  for (const auto &t : X) sum += t.coef * expectation(t.op);
  return sum;
}

double DensityMatrix::hermiticity_error() const {
  double err = 0;
  for (std::int64_t i = 0; i < space_->dimension(); ++i) {
    Bits m, n;
    space_->element(i, m, n);
    err = std::max(err, std::abs(values_[i] - std::conj((*this)(n, m))));
  }
  return err;
}

double DensityMatrix::min_eigenvalue() const {
  double lowest = std::numeric_limits<double>::infinity();
  for (int k = 0; k <= space_->qubits(); ++k) {
    const auto &states = space_->states_with_excitations(k);
    const auto n = static_cast<PetscBLASInt>(states.size());
    std::vector<PetscScalar> a(static_cast<std::size_t>(n) * n);
    for (PetscBLASInt i = 0; i < n; ++i)
      for (PetscBLASInt j = 0; j < n; ++j)
        a[i + static_cast<std::size_t>(j) * n] =
            0.5 * ((*this)(states[i], states[j]) + std::conj((*this)(states[j], states[i])));
    std::vector<PetscReal> w(n), rwork(std::max<PetscBLASInt>(1, 3 * n - 2));
    PetscBLASInt lwork = std::max<PetscBLASInt>(1, 4 * n), info = 0;
    std::vector<PetscScalar> work(lwork);
    LAPACKheev_("N", "U", &n, a.data(), &n, w.data(), work.data(), &lwork, rwork.data(), &info);
    if (info != 0) throw std::runtime_error("LAPACK heev failed on a block of rho");
    lowest = std::min(lowest, w[0]);
  }
  return lowest;
}

double DensityMatrix::purity() const {
  // Tr rho^2 = sum_mn rho_mn rho_nm
  Complex p = 0;
  for (std::int64_t i = 0; i < space_->dimension(); ++i) {
    Bits m, n;
    space_->element(i, m, n);
    p += values_[i] * (*this)(n, m);
  }
  return p.real();
}

double DensityMatrix::l1_coherence() const {
  double c = 0;
  for (std::int64_t i = 0; i < space_->dimension(); ++i) {
    Bits m, n;
    space_->element(i, m, n);
    if (m != n) c += std::abs(values_[i]);
  }
  return c;
}

double DensityMatrix::excited_population(int bit) const {
  return expectation(Monomial::excited(bit)).real();
}

DensityMatrix initial_density_matrix(const SystemParameters &p, const StateSpace &space) {
  std::vector<Complex> values(static_cast<std::size_t>(space.dimension()));
  const double ph = p.initial_population(Ensemble::hot), pc = p.initial_population(Ensemble::cold);
  const auto diagonal = space.diagonal_indices();
  for (Bits m = 0; m < diagonal.size(); ++m) {
    double w = 1;
    for (int q = 0; q < space.qubits(); ++q) {
      const double pq = q < p.N ? ph : pc;
      w *= (m >> q) & 1 ? pq : 1 - pq;
    }
    values[static_cast<std::size_t>(diagonal[m])] = w;
  }
  return DensityMatrix(space, std::move(values));
}

} // namespace nessmap
