#include "model/density_matrix.hpp"

#include <petscsys.h>
#include <petscblaslapack.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

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
  dense_.assign(static_cast<std::size_t>(D * D), Complex{});
  if (const auto *b = space_->symmetric()) {
    for (Bits m = 0; m < D; ++m)
      for (Bits n = 0; n < D; ++n) {
        const auto i = space_->index(m, n);
        if (i >= 0) dense_[static_cast<std::size_t>(m * D + n)] = values_[static_cast<std::size_t>(i)] / std::sqrt(b->multiplicity(i));
      }
    return;
  }
  for (std::int64_t i = 0; i < space_->dimension(); ++i) {
    Bits m, n;
    space_->element(i, m, n);
    dense_[static_cast<std::size_t>(m * D + n)] = values_[static_cast<std::size_t>(i)];
  }
}

Complex DensityMatrix::trace() const {
  Complex t = 0;
  if (const auto *b = space_->symmetric()) {
    for (auto i : space_->diagonal_indices()) t += values_[static_cast<std::size_t>(i)] * b->trace_weight(i);
    return t;
  }
  for (Bits m = 0; m < space_->hilbert_dimension(); ++m) t += (*this)(m, m);
  return t;
}

void DensityMatrix::scale(Complex factor) {
  pattern_cache_.clear();
  for (auto &v : values_) v *= factor;
  for (auto &v : dense_) v *= factor;
}

std::vector<DensityMatrix::UnitOp> DensityMatrix::unit_ops(const Monomial &M) const {
  const SymmetricBasis &b = *space_->symmetric();
  std::vector<UnitOp> ops;
  for (int q = 0; q < space_->qubits(); ++q) {
    const Bits bit = Bits{1} << q;
    if (!(M.care & bit)) continue;
    const auto st = b.site(q);
    auto it = std::find_if(ops.begin(), ops.end(), [&](const UnitOp &o) { return o.species == st.species && o.unit == st.unit; });
    if (it == ops.end()) it = ops.insert(ops.end(), UnitOp{st.species, st.unit});
    const Bits local = Bits{1} << st.bit;
    it->care |= local;
    if (M.value & bit) it->value |= local;
    if (M.flip & bit) it->flip |= local;
  }
  return ops;
}

template <class F> void DensityMatrix::symmetric_trace(const std::vector<UnitOp> &ops, F &&visit) const {
  const SymmetricBasis &b = *space_->symmetric();
  if (by_offdiagonal_.empty()) {
    // Classes by their count of units in off-diagonal kinds, up to max_touched_units.
    by_offdiagonal_.resize(max_touched_units + 1);
    for (std::int64_t i = 0; i < b.dimension(); ++i) {
      int off = 0;
      for (int sp = 0; sp < b.species(); ++sp)
        for (int k = 0; k < b.kinds(); ++k)
          if (k / b.levels() != k % b.levels()) off += b.occupation(b.key(i), sp, k);
      if (off <= max_touched_units) by_offdiagonal_[static_cast<std::size_t>(off)].push_back(i);
    }
  }
  if (ops.size() > static_cast<std::size_t>(max_touched_units))
    throw std::logic_error("a monomial on more than " + std::to_string(max_touched_units) + " units");
  // Every choice of a kind (a, X a) for each touched unit; the share of class n's elements with
  // those kinds on those units and every other unit diagonal is
  // prod_species (falling counts of the chosen kinds) / (N (N-1) ... (N - t_s + 1)).
  const int L = b.levels(), N = b.N();
  std::vector<std::vector<int>> options(ops.size());
  std::vector<int> per_species(static_cast<std::size_t>(b.species()), 0);
  for (std::size_t u = 0; u < ops.size(); ++u) {
    ++per_species[static_cast<std::size_t>(ops[u].species)];
    for (int a = 0; a < L; ++a)
      if ((static_cast<Bits>(a) & ops[u].care) == ops[u].value)
        options[u].push_back(a * L + static_cast<int>(static_cast<Bits>(a) ^ ops[u].flip));
  }
  double norm = 1;
  for (int t : per_species)
    for (int j = 0; j < t; ++j) norm *= N - j;
  if (norm == 0) return;  // more units touched than a species has (not a monomial of this N)
  std::vector<int> chosen(ops.size());
  std::vector<int> seen(static_cast<std::size_t>(b.species() * b.kinds()));
  const auto choose = [&](auto &&self, std::size_t u) -> void {
    if (u < ops.size()) {
      for (int k : options[u]) {
        chosen[u] = k;
        self(self, u + 1);
      }
      return;
    }
    // Every other unit diagonal: exactly as many off-diagonal units as chosen.
    int off = 0;
    for (int k : chosen) off += k / L != k % L;
    for (const std::int64_t i : by_offdiagonal_[static_cast<std::size_t>(off)]) {
      const auto key = b.key(i);
      std::fill(seen.begin(), seen.end(), 0);
      double count = 1;
      for (std::size_t v = 0; v < ops.size() && count > 0; ++v) {
        const auto slot = static_cast<std::size_t>(ops[v].species * b.kinds() + chosen[v]);
        count *= b.occupation(key, ops[v].species, chosen[v]) - seen[slot]++;
      }
      // count / norm of the class's M elements, each y / sqrt(M): Tr[M rho] = sum y sqrt(M) count / norm.
      if (count > 0) visit(i, std::sqrt(b.multiplicity(i)) * count / norm);
    }
  };
  choose(choose, 0);
}

template <class F> void DensityMatrix::for_each_trace_element(const Monomial &M, F &&f) const {
  // Tr[M rho] = sum over m in the domain of M of rho_{m, M m}. The domain is every assignment of
  // the qubits M does not constrain; enumerate those subsets directly.
  const Bits all = space_->hilbert_dimension() - 1;
  const Bits free = all & ~M.care;
  Bits s = 0;
  do {
    const Bits m = s | M.value;
    f((*this)(m, M.apply(m)));
    s = (s - free) & free;
  } while (s != 0);
}

Complex DensityMatrix::symmetric_cached(const Monomial &M, bool imaginary_magnitude) const {
  // The pattern: the unit operators without their units, sorted (a permutation of the units
  // leaves the value alone).
  const auto ops = unit_ops(M);
  std::vector<std::uint32_t> pattern{imaginary_magnitude ? 1u : 0u};
  for (const auto &o : ops)
    pattern.push_back(static_cast<std::uint32_t>(o.species) << 24 | static_cast<std::uint32_t>(o.care) << 16 |
                      static_cast<std::uint32_t>(o.value) << 8 | static_cast<std::uint32_t>(o.flip));
  std::sort(pattern.begin() + 1, pattern.end());
  const auto hit = pattern_cache_.find(pattern);
  if (hit != pattern_cache_.end()) return hit->second;
  Complex v = 0;
  symmetric_trace(ops, [&](std::int64_t i, double share) {
    const Complex x = values_[static_cast<std::size_t>(i)];
    v += (imaginary_magnitude ? Complex(std::abs(x.imag())) : x) * share;
  });
  pattern_cache_.emplace(std::move(pattern), v);
  return v;
}

Complex DensityMatrix::expectation(const Monomial &M) const {
  if (space_->symmetric()) return symmetric_cached(M, false);
  Complex sum = 0;
  for_each_trace_element(M, [&](Complex x) { sum += x; });
  return sum;
}

double DensityMatrix::imaginary_magnitude(const Monomial &M) const {
  if (space_->symmetric()) return symmetric_cached(M, true).real();
  double sum = 0;
  for_each_trace_element(M, [&](Complex x) { sum += std::abs(x.imag()); });
  return sum;
}

double DensityMatrix::functional_norm(const Monomial &M) const {
  if (!space_->symmetric())
    return std::sqrt(std::ldexp(1.0, space_->qubits() - popcount(M.care)));
  std::map<std::int64_t, double> c;
  symmetric_trace(unit_ops(M), [&](std::int64_t i, double share) { c[i] += share; });
  double sum = 0;
  for (const auto &[i, v] : c) sum += v * v;
  return std::sqrt(sum);
}

Complex DensityMatrix::expectation(const Operator &X) const {
  Complex sum = 0;
  for (const auto &t : X) sum += t.coef * expectation(t.op);
  return sum;
}

double DensityMatrix::hermiticity_error() const {
  double err = 0;
  if (const auto *b = space_->symmetric()) {
    for (std::int64_t i = 0; i < space_->dimension(); ++i)
      err = std::max(err, std::abs(values_[i] - std::conj(values_[b->adjoint(i)])) / std::sqrt(b->multiplicity(i)));
    return err;
  }
  for (std::int64_t i = 0; i < space_->dimension(); ++i) {
    Bits m, n;
    space_->element(i, m, n);
    err = std::max(err, std::abs(values_[i] - std::conj((*this)(n, m))));
  }
  return err;
}

namespace {
// Smallest eigenvalue of the Hermitian part of an n x n block a(i, j).
template <class A> double block_min_eigenvalue(int n_, A &&element) {
  const auto n = static_cast<PetscBLASInt>(n_);
  std::vector<PetscScalar> a(static_cast<std::size_t>(n) * n);
  for (PetscBLASInt i = 0; i < n; ++i)
    for (PetscBLASInt j = 0; j < n; ++j)
      a[i + static_cast<std::size_t>(j) * n] = 0.5 * (element(i, j) + std::conj(element(j, i)));
  std::vector<PetscReal> w(n), rwork(std::max<PetscBLASInt>(1, 3 * n - 2));
  PetscBLASInt lwork = std::max<PetscBLASInt>(1, 4 * n), info = 0;
  std::vector<PetscScalar> work(lwork);
  LAPACKheev_("N", "U", &n, a.data(), &n, w.data(), work.data(), &lwork, rwork.data(), &info);
  if (info != 0) throw std::runtime_error("LAPACK heev failed on a block of rho");
  return w[0];
}
} // namespace

double DensityMatrix::min_eigenvalue() const {
  double lowest = std::numeric_limits<double>::infinity();
  if (space_->symmetric()) {
    const int N = space_->N();
    if (N <= 4) {  // every excitation block, 70 rows at most
      for (int k = 0; k <= space_->qubits(); ++k) {
        std::vector<Bits> states;
        for (Bits m = 0; m < space_->hilbert_dimension(); ++m)
          if (popcount(m) == k) states.push_back(m);
        lowest = std::min(lowest, block_min_eigenvalue(static_cast<int>(states.size()),
                                                       [&](int i, int j) { return (*this)(states[i], states[j]); }));
      }
      return lowest;
    }
    // The reduced state of qubits h1, h2, c1, c2: rho_red(m, p) = Tr[|p><m| rho].
    const int q[4] = {0, 1, N, N + 1};
    const auto embed = [&](int x) {
      Bits e = 0;
      for (int j = 0; j < 4; ++j)
        if ((x >> j) & 1) e |= Bits{1} << q[j];
      return e;
    };
    const Bits care = embed(15);
    return block_min_eigenvalue(16, [&](int i, int j) {
      return expectation(Monomial{care, embed(i), embed(i) ^ embed(j)});
    });
  }
  for (int k = 0; k <= space_->qubits(); ++k) {
    const auto &states = space_->states_with_excitations(k);
    lowest = std::min(lowest, block_min_eigenvalue(static_cast<int>(states.size()),
                                                   [&](int i, int j) { return (*this)(states[i], states[j]); }));
  }
  return lowest;
}

double DensityMatrix::purity() const {
  // Tr rho^2 = sum_mn rho_mn rho_nm
  Complex p = 0;
  if (const auto *b = space_->symmetric()) {
    for (std::int64_t i = 0; i < space_->dimension(); ++i)
      p += values_[i] * values_[b->adjoint(i)];  // M elements of y_i / sqrt(M) y_adj / sqrt(M)
    return p.real();
  }
  for (std::int64_t i = 0; i < space_->dimension(); ++i) {
    Bits m, n;
    space_->element(i, m, n);
    p += values_[i] * (*this)(n, m);
  }
  return p.real();
}

double DensityMatrix::l1_coherence() const {
  double c = 0;
  if (const auto *b = space_->symmetric()) {  // M(n) elements of |y_n| / sqrt(M(n)) each
    for (std::int64_t i = 0; i < space_->dimension(); ++i)
      if (!b->diagonal(i)) c += std::abs(values_[i]) * std::sqrt(b->multiplicity(i));
    return c;
  }
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
  if (const auto *b = space.symmetric()) {
    // Class n holds M(n) elements, each prod over units of the unit level's probability: y_n is
    // that product times sqrt(M(n)).
    const auto level_probability = [&](int s, int level) {
      if (b->species() == 2) return level ? (s == 0 ? ph : pc) : 1 - (s == 0 ? ph : pc);
      return ((level & 1) ? ph : 1 - ph) * ((level & 2) ? pc : 1 - pc);
    };
    for (auto i : diagonal) {
      double w = std::sqrt(b->multiplicity(i));
      for (int s = 0; s < b->species(); ++s)
        for (int level = 0; level < b->levels(); ++level)
          w *= std::pow(level_probability(s, level), b->occupation(b->key(i), s, level * b->levels() + level));
      values[static_cast<std::size_t>(i)] = w;
    }
    return DensityMatrix(space, std::move(values));
  }
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
