#include "solver/kronecker_sum.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "liouvillian/liouvillian.hpp"

namespace nessmap {
using occupation::compose;
using occupation::pack;
using occupation::partner;
using occupation::unpack;
using Occupations = occupation::Numbers;

KroneckerSumInverse::KroneckerSumInverse(const StateSpace &space)
    : space_(space), N_(space.N()), layout_(ensemble_blocks(space)) {
  for (Ensemble1 *e : {&hot_, &cold_}) {
    e->N = N_;
    e->species = e == &hot_ ? 0 : 1;
    e->shift = e == &hot_ ? 0 : N_;
    e->conjugate = e == &cold_;
    e->schur.resize(2 * N_ + 1);
  }
  all_blocks_.resize(blocks().size());
  std::iota(all_blocks_.begin(), all_blocks_.end(), 0);
}

std::vector<Complex> KroneckerSumInverse::qubit_block(const Ensemble1 &e, const MasterEquation &me, int d) const {
  const int N = e.N;
  const std::uint64_t low = (std::uint64_t{1} << N) - 1;
  const auto &items = this->items(e, d);
  const int n = static_cast<int>(items.size());
  // Position of an operator |ket><bra| inside this block.
  std::vector<int> position((std::size_t{1} << (2 * N)), -1);
  for (int i = 0; i < n; ++i) position[items[i]] = i;
  std::vector<Complex> A(static_cast<std::size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i) {
    // Row (m, n) of L_e, as in liouvillian_row, on the ensemble's bits placed at their qubits.
    const Bits m = Bits(items[i] >> N) << e.shift, nb = Bits(items[i] & low) << e.shift;
    for (std::size_t t : e.terms) {
      const auto &term = me.terms[t];
      if (!term.left.produces(m) || !term.right.acts_on(nb)) continue;
      const auto mp = static_cast<std::uint64_t>((m ^ term.left.flip) >> e.shift);
      const auto np = static_cast<std::uint64_t>(term.right.apply(nb) >> e.shift);
      const int j = position[(mp << N) | np];
      if (j < 0) throw std::logic_error("a single-ensemble term changes the excitation difference");
      A[i + static_cast<std::size_t>(j) * n] += e.conjugate ? std::conj(term.coef) : term.coef;
    }
  }
  return A;
}

std::vector<Complex> KroneckerSumInverse::symmetric_block(const Ensemble1 &e, const std::vector<SymmetricTerm> &terms,
                                                          int d) const {
  // Row i of L_e is the row of L's one-ensemble terms at the class (item i, partner of the other
  // ensemble): those terms leave the partner as it is.
  const SymmetricBasis &basis = *space_.symmetric();
  const auto &items = this->items(e, d);
  const int n = static_cast<int>(items.size());
  std::unordered_map<std::uint64_t, int> position;
  for (int i = 0; i < n; ++i) position.emplace(items[i], i);
  const Occupations other = partner(e.N, -d);
  std::vector<Complex> A(static_cast<std::size_t>(n) * n, 0.0);
  RowEntries row;
  for (int i = 0; i < n; ++i) {
    const Occupations mine = unpack(items[i]);
    const auto key = e.species == 0 ? compose(basis, mine, other) : compose(basis, other, mine);
    symmetric_row(basis, terms, basis.index(key), row);
    for (std::size_t p = 0; p < row.cols.size(); ++p) {
      const auto source = basis.key(row.cols[p]);
      const auto j = position.find(pack(occupation::of(basis, source, e.species)));
      if (j == position.end() || occupation::of(basis, source, 1 - e.species) != other)
        throw std::logic_error("a single-ensemble term changes the excitation difference or the other ensemble");
      const Complex v = row.values[p];
      A[i + static_cast<std::size_t>(j->second) * n] += e.conjugate ? std::conj(v) : v;
    }
  }
  return A;
}

void KroneckerSumInverse::factor_ensemble(Ensemble1 &e, const MasterEquation &me) {
  // The terms acting on this ensemble only (the interaction touches both and is left out).
  const SymmetricBasis *basis = space_.symmetric();
  std::vector<SymmetricTerm> unit_terms;
  std::vector<std::size_t> terms;
  std::vector<Complex> coefficients;
  if (basis) {
    for (const auto &t : symmetric_terms(me, *basis))
      if (t.shape != SymmetricTerm::cross && t.species_a == e.species) {
        terms.push_back(t.term);
        coefficients.push_back(t.coef);
        unit_terms.push_back(t);
      }
  } else {
    const Bits ones = (Bits{1} << e.N) - 1, mask = ones << e.shift;
    for (std::size_t t = 0; t < me.terms.size(); ++t) {
      const auto &term = me.terms[t];
      const Bits care = term.left.care | term.right.care;
      if (care != 0 && (care & ~mask) == 0) {
        terms.push_back(t);
        coefficients.push_back(term.coef);
      }
    }
  }
  if (e.factored && terms == e.terms && coefficients == e.coefficients) return;
  e.factored = false;
  e.terms = std::move(terms);
  e.coefficients = std::move(coefficients);

  const int N = e.N;
  for (int d = (basis ? -N : 0); d <= N; ++d) {
    e.schur[d + N] = schur_form(static_cast<int>(items(e, d).size()),
                                basis ? symmetric_block(e, unit_terms, d) : qubit_block(e, me, d), d == 0, "L_0");
  }
  // In the qubit bases block -d is block d's adjoint image: L_e preserves Hermiticity, so with A
  // the permutation that takes each item of block d to its adjoint's position in block -d,
  // L_e,-d = A conj(L_e,d) A^T, and with L_e,d = Q T Q^H the Schur form of block -d is
  // (A conj(Q)) conj(T) (A conj(Q))^H: half the decompositions.
  if (!basis)
    for (int d = 1; d <= N; ++d) {
      const SchurForm &from = e.schur[d + N];
      SchurForm &to = e.schur[-d + N];
      const int n = from.n;
      const auto &adjoint = layout_->adjoint(e.species, d);
      to.n = n;
      to.T.resize(from.T.size());
      to.Q.resize(from.Q.size());
      for (std::size_t p = 0; p < from.T.size(); ++p) to.T[p] = std::conj(from.T[p]);
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i)
          to.Q[adjoint[i] + static_cast<std::size_t>(j) * n] = std::conj(from.Q[i + static_cast<std::size_t>(j) * n]);
    }
  // The first Schur vector of block 0 spans the zero mode (conjugated for the cold ensemble).
  const auto &items = this->items(e, 0);
  const int n0 = static_cast<int>(items.size());
  e.steady.assign(e.schur[N].Q.begin(), e.schur[N].Q.begin() + n0);
  if (e.conjugate)
    for (auto &c : e.steady) c = std::conj(c);
  // Tr rho's weights: 1 at |m><m|; sqrt(M_e) at a class of diagonal kinds only, read off the
  // basis at the class (item, all ground) whose other factor has M = 1.
  e.trace.clear();
  const std::uint64_t low = (std::uint64_t{1} << N) - 1;
  const Occupations ground{N, 0, 0, 0};
  for (int i = 0; i < n0; ++i) {
    if (basis) {
      const Occupations mine = unpack(items[i]);
      if (mine[1] != 0 || mine[2] != 0) continue;
      const auto key = e.species == 0 ? compose(*basis, mine, ground) : compose(*basis, ground, mine);
      e.trace.emplace_back(i, basis->trace_weight(basis->index(key)));
    } else if ((items[i] >> N) == (items[i] & low)) {
      e.trace.emplace_back(i, 1.0);
    }
  }
  Complex trace = 0;
  for (const auto &[i, w] : e.trace) trace += w * e.steady[i];
  for (auto &c : e.steady) c /= trace;
  e.factored = true;
}

void KroneckerSumInverse::factor(const MasterEquation &me) {
  factor_ensemble(hot_, me);
  factor_ensemble(cold_, me);
  auto largest = [](const Ensemble1 &e) {
    double r = 0;
    for (const auto &S : e.schur) r = std::max(r, S.largest_eigenvalue());
    return r;
  };
  largest_rate_ = largest(hot_) + largest(cold_);
  auto zeros = [this](const Ensemble1 &e) {
    const SchurForm &S = e.schur[N_];
    int count = 0;
    for (int i = 0; i < S.n; ++i)
      count += std::abs(S.T[i * static_cast<std::size_t>(S.n + 1)]) <= dropped_rate * largest_rate_;
    return count;
  };
  zero_modes_ = std::max(zeros(hot_), zeros(cold_));
}

void KroneckerSumInverse::apply(const Complex *r, Complex *y, const std::vector<int> &which) const {
  auto &R = scratch_r_;  // reused: the preconditioner runs every GMRES iteration
  for (int k : which) {
    const Block &b = blocks()[k];
    solve_block(b, r, R);
    for (std::size_t p = 0; p < R.size(); ++p) y[b.index[p]] = R[p];
  }
}

void KroneckerSumInverse::apply_hermitian(const Complex *r, Complex *y, const std::vector<int> &leading) const {
  if (!hermitian()) throw std::logic_error("apply_hermitian: the symmetric space's blocks are not mapped to their adjoints");
  auto &R = scratch_r_;
  for (int k : leading) {
    const Block &b = blocks()[k];
    solve_block(b, r, R);
    for (std::size_t p = 0; p < R.size(); ++p) y[b.index[p]] = R[p];
    if (mirror(k) == k) continue;
    // y(n, m) = conj(y(m, n)): element (i, j) of this block is (adjoint_h[i], adjoint_c[j]) there.
    const Block &m = blocks()[mirror(k)];
    const auto &ah = layout_->adjoint(0, b.dh), &ac = layout_->adjoint(1, b.dc);
    for (int j = 0; j < b.nc; ++j) {
      const std::int64_t *column = m.index.data() + static_cast<std::size_t>(ac[j]) * m.nh;
      const Complex *Rj = R.data() + static_cast<std::size_t>(j) * b.nh;
      for (int i = 0; i < b.nh; ++i) y[column[ah[i]]] = std::conj(Rj[i]);
    }
  }
}

void KroneckerSumInverse::solve_block(const Block &b, const Complex *r, std::vector<Complex> &R) const {
  const int nh = b.nh, nc = b.nc;
  const auto size = static_cast<std::size_t>(nh) * nc;
  R.resize(size);
  for (std::size_t p = 0; p < size; ++p) R[p] = r[b.index[p]];
  // The pair of zero modes (and any other rate at roundoff level) is left out.
  solve_sylvester(hot_.schur[b.dh + N_], cold_.schur[b.dc + N_], R.data(), scratch_w_, dropped_rate * largest_rate_,
                  b.dh == 0 && b.dc == 0);
  if (b.dh == 0 && b.dc == 0) {
    // R -= Tr(R) rho_h rho_c^T; the diagonal of rho lies in this block only, at the pairs of
    // diagonal positions of the two ensembles.
    Complex trace = 0;
    for (const auto &[j, wc] : cold_.trace)
      for (const auto &[i, wh] : hot_.trace) trace += wh * wc * R[i + static_cast<std::size_t>(j) * nh];
    for (int j = 0; j < nc; ++j)
      for (int i = 0; i < nh; ++i) R[i + static_cast<std::size_t>(j) * nh] -= trace * hot_.steady[i] * cold_.steady[j];
  }
}

void KroneckerSumInverse::product_state(Complex *x) const {
  std::fill(x, x + space_.dimension(), Complex(0.0));
  for (const auto &b : blocks()) {
    if (b.dh != 0 || b.dc != 0) continue;
    for (int j = 0; j < b.nc; ++j)
      for (int i = 0; i < b.nh; ++i)
        x[b.index[i + static_cast<std::size_t>(j) * b.nh]] = hot_.steady[i] * cold_.steady[j];
  }
}

} // namespace nessmap
