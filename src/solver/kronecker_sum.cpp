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
namespace {

// One ensemble's occupation numbers in the symmetric space of type 1: n_k units in kind k,
// k = |a><b| -> 2a + b (symmetric_basis.hpp), so d = n_10 - n_01.
using Occupations = std::array<int, 4>;
std::uint64_t pack(const Occupations &n) {
  return std::uint64_t(n[0]) | std::uint64_t(n[1]) << 16 | std::uint64_t(n[2]) << 32 | std::uint64_t(n[3]) << 48;
}
Occupations unpack(std::uint64_t p) {
  return {int(p & 0xffff), int((p >> 16) & 0xffff), int((p >> 32) & 0xffff), int(p >> 48)};
}
// The class with hot occupations h and cold occupations c.
SymmetricBasis::Key compose(const SymmetricBasis &basis, const Occupations &h, const Occupations &c) {
  SymmetricBasis::Key key = 0;
  for (int k = 0; k < 4; ++k) {
    key = basis.shifted(key, 0, k, h[k]);
    key = basis.shifted(key, 1, k, c[k]);
  }
  return key;
}
Occupations occupations(const SymmetricBasis &basis, SymmetricBasis::Key key, int species) {
  Occupations n;
  for (int k = 0; k < 4; ++k) n[k] = basis.occupation(key, species, k);
  return n;
}
// An ensemble's occupations with excitation difference d: the partner that puts a class of the
// other ensemble with difference -d into the balanced space.
Occupations partner(int N, int d) { return d >= 0 ? Occupations{N - d, 0, d, 0} : Occupations{N + d, -d, 0, 0}; }

} // namespace

KroneckerSumInverse::KroneckerSumInverse(const StateSpace &space) : space_(space), N_(space.N()) {
  const int N = N_;
  const SymmetricBasis *basis = space.symmetric();
  if (basis && basis->coupling() != Coupling::all_to_all)
    throw std::invalid_argument("the symmetric space of type 2 has no Kronecker structure: each of its units holds "
                                "a hot and a cold qubit");
  for (Ensemble1 *e : {&hot_, &cold_}) {
    e->N = N;
    e->species = e == &hot_ ? 0 : 1;
    e->shift = e == &hot_ ? 0 : N;
    e->items.assign(2 * N + 1, {});
    if (basis) {
      for (int n1 = 0; n1 <= N; ++n1)
        for (int n2 = 0; n1 + n2 <= N; ++n2)
          for (int n3 = 0; n1 + n2 + n3 <= N; ++n3)
            e->items[n2 - n1 + N].push_back(pack({N - n1 - n2 - n3, n1, n2, n3}));
    } else {
      const std::uint64_t states = std::uint64_t{1} << N;
      for (std::uint64_t ket = 0; ket < states; ++ket)
        for (std::uint64_t bra = 0; bra < states; ++bra)
          e->items[std::popcount(ket) - std::popcount(bra) + N].push_back((ket << N) | bra);
    }
    e->conjugate = e == &cold_;
    e->schur.resize(2 * N + 1);
  }
  // rho's blocks: every (d_h, d_c) whose elements lie in the space.
  const std::uint64_t low = (std::uint64_t{1} << N) - 1;
  auto index_of = [&](std::uint64_t h, std::uint64_t c) -> std::int64_t {
    if (basis) return basis->index(compose(*basis, unpack(h), unpack(c)));
    const Bits m = (h >> N) | (Bits(c >> N) << N), n = (h & low) | (Bits(c & low) << N);
    return space_.index(m, n);
  };
  for (int dh = -N; dh <= N; ++dh)
    for (int dc = -N; dc <= N; ++dc) {
      const auto &ph = hot_.items[dh + N], &pc = cold_.items[dc + N];
      if (index_of(ph.front(), pc.front()) < 0) continue;  // the whole block is outside
      Block b{dh, dc, static_cast<int>(ph.size()), static_cast<int>(pc.size()), {}};
      b.index.resize(ph.size() * pc.size());
      for (std::size_t j = 0; j < pc.size(); ++j)
        for (std::size_t i = 0; i < ph.size(); ++i) b.index[i + j * ph.size()] = index_of(ph[i], pc[j]);
      blocks_.push_back(std::move(b));
    }
  all_blocks_.resize(blocks_.size());
  std::iota(all_blocks_.begin(), all_blocks_.end(), 0);
  // Hermiticity: the adjoint of the qubit bases' |ket><bra| is |bra><ket|, in block -d.
  hermitian_ = basis == nullptr;
  if (!hermitian_) return;
  for (Ensemble1 *e : {&hot_, &cold_}) {
    e->adjoint.assign(2 * N + 1, {});
    for (int d = -N; d <= N; ++d) {
      const auto &from = e->items[d + N], &to = e->items[-d + N];
      std::unordered_map<std::uint64_t, int> position;
      for (std::size_t i = 0; i < to.size(); ++i) position.emplace(to[i], static_cast<int>(i));
      for (std::uint64_t item : from) e->adjoint[d + N].push_back(position.at((item & low) << N | item >> N));
    }
  }
  mirror_.assign(blocks_.size(), -1);
  for (std::size_t k = 0; k < blocks_.size(); ++k) {
    for (std::size_t m = 0; m < blocks_.size(); ++m)
      if (blocks_[m].dh == -blocks_[k].dh && blocks_[m].dc == -blocks_[k].dc) mirror_[k] = static_cast<int>(m);
    if (mirror_[k] < 0) throw std::logic_error("a block of the space has no adjoint block");
    if (blocks_[k].dh > 0 || (blocks_[k].dh == 0 && blocks_[k].dc >= 0)) leading_blocks_.push_back(static_cast<int>(k));
  }
}

std::vector<Complex> KroneckerSumInverse::qubit_block(const Ensemble1 &e, const MasterEquation &me, int d) const {
  const int N = e.N;
  const std::uint64_t low = (std::uint64_t{1} << N) - 1;
  const auto &items = e.items[d + N];
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
  const auto &items = e.items[d + e.N];
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
      const auto j = position.find(pack(occupations(basis, source, e.species)));
      if (j == position.end() || occupations(basis, source, 1 - e.species) != other)
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
    e.schur[d + N] = schur_form(static_cast<int>(e.items[d + N].size()),
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
      const auto &adjoint = e.adjoint[d + N];
      to.n = n;
      to.T.resize(from.T.size());
      to.Q.resize(from.Q.size());
      for (std::size_t p = 0; p < from.T.size(); ++p) to.T[p] = std::conj(from.T[p]);
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i)
          to.Q[adjoint[i] + static_cast<std::size_t>(j) * n] = std::conj(from.Q[i + static_cast<std::size_t>(j) * n]);
    }
  // The first Schur vector of block 0 spans the zero mode (conjugated for the cold ensemble).
  const auto &items = e.items[N];
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
    const Block &b = blocks_[k];
    solve_block(b, r, R);
    for (std::size_t p = 0; p < R.size(); ++p) y[b.index[p]] = R[p];
  }
}

void KroneckerSumInverse::apply_hermitian(const Complex *r, Complex *y, const std::vector<int> &leading) const {
  if (!hermitian_) throw std::logic_error("apply_hermitian: the symmetric space's blocks are not mapped to their adjoints");
  auto &R = scratch_r_;
  for (int k : leading) {
    const Block &b = blocks_[k];
    solve_block(b, r, R);
    for (std::size_t p = 0; p < R.size(); ++p) y[b.index[p]] = R[p];
    if (mirror_[k] == k) continue;
    // y(n, m) = conj(y(m, n)): element (i, j) of this block is (adjoint_h[i], adjoint_c[j]) there.
    const Block &m = blocks_[mirror_[k]];
    const auto &ah = hot_.adjoint[b.dh + N_], &ac = cold_.adjoint[b.dc + N_];
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
  for (const auto &b : blocks_) {
    if (b.dh != 0 || b.dc != 0) continue;
    for (int j = 0; j < b.nc; ++j)
      for (int i = 0; i < b.nh; ++i)
        x[b.index[i + static_cast<std::size_t>(j) * b.nh]] = hot_.steady[i] * cold_.steady[j];
  }
}

std::vector<int> KroneckerSumInverse::blocks_of(int rank, int size, const std::vector<int> &among) const {
  // Largest first, each to the least loaded rank.
  std::vector<int> order = among;
  std::stable_sort(order.begin(), order.end(), [this](int a, int b) { return blocks_[a].cost() > blocks_[b].cost(); });
  std::vector<double> load(size, 0.0);
  std::vector<int> mine;
  for (int k : order) {
    const int r = static_cast<int>(std::min_element(load.begin(), load.end()) - load.begin());
    load[r] += blocks_[k].cost();
    if (r == rank) mine.push_back(k);
  }
  return mine;
}

} // namespace nessmap
