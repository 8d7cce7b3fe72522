// The library's sparse Liouvillian against an independent dense implementation of physics.md
// (tests/dense_reference.hpp), entry by entry, in the full space and in the balanced block.
#include <catch2/catch.hpp>

#include <bit>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "dense_reference.hpp"
#include "fixtures.hpp"
#include "liouvillian/liouvillian.hpp"
#include "model/master_equation.hpp"
#include "model/parameters.hpp"
#include "model/state_space.hpp"

using dense_ref::cd;
using dense_ref::Matrix;

namespace {

struct Family {
  int N;
  nessmap::Bath bath;
  nessmap::Coupling coupling;
};

std::vector<Family> families(std::initializer_list<int> Ns) {
  std::vector<Family> f;
  for (int N : Ns)
    for (auto bath : {nessmap::Bath::common, nessmap::Bath::cascaded, nessmap::Bath::independent})
      for (auto coupling : {nessmap::Coupling::pairwise, nessmap::Coupling::all_to_all})
        f.push_back({N, bath, coupling});
  return f;
}


// Fixed seed per family so every run sees the same parameters.
nessmap::SystemParameters params_for(const Family &f, std::uint64_t salt = 0) {
  std::mt19937_64 rng(0x5eed0000u + 1000u * f.N + 10u * static_cast<unsigned>(f.bath) +
                      static_cast<unsigned>(f.coupling) + 7919u * salt);
  auto p = nessmap::testing::random_point(rng, f.N, f.bath, f.coupling);
  p.validate();
  return p;
}

Matrix random_matrix(std::size_t D, std::mt19937_64 &rng, bool hermitian) {
  std::uniform_real_distribution<double> U(-1.0, 1.0);
  Matrix X(D, D);
  for (auto &v : X.a) v = cd(U(rng), U(rng));
  if (hermitian) X = 0.5 * (X + dense_ref::adjoint(X));
  return X;
}

std::vector<cd> vec(const Matrix &X) { return X.a; }  // row-major vec: index m * D + n

Matrix unvec(const std::vector<cd> &v, std::size_t D) {
  Matrix X(D, D);
  X.a = v;
  return X;
}

std::vector<cd> matvec(const Matrix &L, const std::vector<cd> &x) {
  std::vector<cd> y(L.rows);
  for (std::size_t i = 0; i < L.rows; ++i) {
    cd s = 0;
    for (std::size_t j = 0; j < L.cols; ++j) s += L(i, j) * x[j];
    y[i] = s;
  }
  return y;
}

// The library's L in a space, as a dense matrix in that space's ordering.
Matrix library_dense(const nessmap::StateSpace &space, const nessmap::MasterEquation &me) {
  const auto dim = static_cast<std::size_t>(space.dimension());
  Matrix L(dim, dim);
  nessmap::RowEntries row;
  for (std::int64_t r = 0; r < space.dimension(); ++r) {
    nessmap::liouvillian_row(space, me, r, row);
    for (std::size_t k = 0; k < row.cols.size(); ++k)
      L(static_cast<std::size_t>(r), static_cast<std::size_t>(row.cols[k])) += row.values[k];
  }
  return L;
}

// One family's parameters with both sides of the comparison: the dense reference model and its
// full Liouvillian, and the library's master equation.
struct Comparison {
  explicit Comparison(const Family &f)
      : p(params_for(f)), M(dense_ref::make_model(p)), L(dense_ref::full_liouvillian(M)),
        me(nessmap::build_master_equation(p)) {}
  nessmap::SystemParameters p;
  dense_ref::Model M;
  Matrix L;
  nessmap::MasterEquation me;
};

} // namespace

TEST_CASE("dense reference is self-consistent", "[dense]") {
  // The reference's term list, its Kronecker superoperator, its restricted builder and its direct
  // matrix-product application of physics.md must all agree; the common bath must equal
  // gamma D[L] + gamma' D[L^dag] with L = sum_n g_n sigma-_n (physics.md).
  for (const auto &f : families({1, 2})) {
    const auto p = params_for(f);
    INFO(nessmap::testing::describe(p));
    const auto M = dense_ref::make_model(p);
    std::mt19937_64 rng(42);
    const Matrix X = random_matrix(M.D, rng, false);

    const Matrix direct = dense_ref::apply_L(M, X);
    CHECK(dense_ref::max_abs_diff(dense_ref::apply_terms(M, X), direct) < 1e-13);

    const Matrix L = dense_ref::full_liouvillian(M);
    const Matrix via_kron = unvec(matvec(L, vec(X)), M.D);
    CHECK(dense_ref::max_abs_diff(via_kron, direct) < 1e-13);

    // Restricted builder on the balanced pairs equals the Kronecker L restricted, and nothing
    // leaks out of the balanced block.
    const auto pairs = dense_ref::balanced_pairs(p.N);
    double leak = -1;
    const Matrix Lb = dense_ref::restricted_liouvillian(M, pairs, &leak);
    CHECK(leak == 0.0);
    double d = 0;
    for (std::size_t r = 0; r < pairs.size(); ++r)
      for (std::size_t c = 0; c < pairs.size(); ++c) {
        const auto R = pairs[r].first * M.D + pairs[r].second;
        const auto C = pairs[c].first * M.D + pairs[c].second;
        d = std::max(d, std::abs(Lb(r, c) - L(R, C)));
      }
    CHECK(d < 1e-14);

    if (p.bath == nessmap::Bath::common) {
      for (int e : {dense_ref::HOT, dense_ref::COLD}) {
        const auto &g = e == dense_ref::HOT ? p.g_h : p.g_c;
        const double nb = e == dense_ref::HOT ? dense_ref::nbar(p.omega_h, p.T_h)
                                              : dense_ref::nbar(p.omega_c, p.T_c);
        Matrix Lj(M.D, M.D);
        for (int n = 0; n < p.N; ++n) Lj += g[n] * M.sminus(e, n);
        const Matrix collective = (nb + 1.0) * dense_ref::lindblad(Lj, X) +
                                  nb * dense_ref::lindblad(dense_ref::adjoint(Lj), X);
        CHECK(dense_ref::max_abs_diff(dense_ref::apply_D(M, e, X), collective) < 1e-13);
      }
    }
    if (p.bath == nessmap::Bath::independent) {
      for (int e : {dense_ref::HOT, dense_ref::COLD})
        CHECK(dense_ref::max_abs(dense_ref::apply_D_nonloc(M, e, X)) == 0.0);
    }
  }
}

TEST_CASE("library Liouvillian equals the dense reference in the full space", "[dense]") {
  for (const auto &f : families({1, 2})) {
    const Comparison c(f);
    INFO(nessmap::testing::describe(c.p));
    const auto &[p, M, L, me] = c;
    const nessmap::StateSpace space(nessmap::Space::full, p.N);
    REQUIRE(static_cast<std::size_t>(space.dimension()) == M.D * M.D);

    nessmap::RowEntries row;
    std::vector<cd> lib(L.cols);
    double worst = 0;
    std::int64_t worst_row = -1, worst_col = -1;
    cd worst_lib, worst_ref;
    bool sorted_unique = true, element_ok = true;
    for (std::int64_t r = 0; r < space.dimension(); ++r) {
      nessmap::Bits m, n;
      space.element(r, m, n);
      if (m * M.D + n != static_cast<std::uint64_t>(r)) element_ok = false;
      nessmap::liouvillian_row(space, me, r, row);
      std::fill(lib.begin(), lib.end(), cd{});
      for (std::size_t k = 0; k < row.cols.size(); ++k) {
        if (k > 0 && row.cols[k] <= row.cols[k - 1]) sorted_unique = false;
        lib[static_cast<std::size_t>(row.cols[k])] += row.values[k];
      }
      for (std::size_t c = 0; c < L.cols; ++c) {  // every entry, zeros included
        const double d = std::abs(lib[c] - L(static_cast<std::size_t>(r), c));
        if (d > worst) {
          worst = d;
          worst_row = r;
          worst_col = static_cast<std::int64_t>(c);
          worst_lib = lib[c];
          worst_ref = L(static_cast<std::size_t>(r), c);
        }
      }
    }
    INFO("worst entry: row " << worst_row << " col " << worst_col << " library " << worst_lib
                             << " reference " << worst_ref);
    CHECK(element_ok);
    CHECK(sorted_unique);
    CHECK(worst <= 1e-12);
  }
}

TEST_CASE("library Liouvillian equals the dense reference in the balanced block", "[dense]") {
  for (const auto &f : families({1, 2})) {
    const Comparison c(f);
    INFO(nessmap::testing::describe(c.p));
    const auto &[p, M, L, me] = c;
    const nessmap::StateSpace space(nessmap::Space::balanced, p.N);
    const auto dim = static_cast<std::size_t>(space.dimension());
    REQUIRE(dim == dense_ref::balanced_pairs(p.N).size());

    // Full-space index of each balanced index.
    std::vector<std::size_t> full_of(dim);
    for (std::size_t r = 0; r < dim; ++r) {
      nessmap::Bits m, n;
      space.element(static_cast<std::int64_t>(r), m, n);
      REQUIRE(nessmap::popcount(m) == nessmap::popcount(n));
      REQUIRE(space.index(m, n) == static_cast<std::int64_t>(r));
      full_of[r] = m * M.D + n;
    }

    nessmap::RowEntries row;
    std::vector<cd> lib(dim);
    double worst = 0, worst_outside = 0;
    std::int64_t worst_row = -1, worst_col = -1;
    for (std::size_t r = 0; r < dim; ++r) {
      nessmap::liouvillian_row(space, me, static_cast<std::int64_t>(r), row);
      std::fill(lib.begin(), lib.end(), cd{});
      for (std::size_t k = 0; k < row.cols.size(); ++k) {
        REQUIRE(row.cols[k] >= 0);
        REQUIRE(static_cast<std::size_t>(row.cols[k]) < dim);
        lib[static_cast<std::size_t>(row.cols[k])] += row.values[k];
      }
      const std::size_t R = full_of[r];
      for (std::size_t c = 0; c < dim; ++c) {
        const double d = std::abs(lib[c] - L(R, full_of[c]));
        if (d > worst) worst = d, worst_row = static_cast<std::int64_t>(r), worst_col = static_cast<std::int64_t>(c);
      }
      // The dense row has nothing outside the balanced columns.
      for (std::size_t C = 0; C < L.cols; ++C) {
        const auto mp = C / M.D, np = C % M.D;
        if (std::popcount(mp) != std::popcount(np))
          worst_outside = std::max(worst_outside, std::abs(L(R, C)));
      }
    }
    INFO("worst entry: balanced row " << worst_row << " col " << worst_col);
    CHECK(worst <= 1e-12);
    CHECK(worst_outside == 0.0);
  }
}

TEST_CASE("Liouvillian is trace and Hermiticity preserving", "[dense]") {
  for (const auto &f : families({1, 2})) {
    const Comparison c(f);
    INFO(nessmap::testing::describe(c.p));
    const auto &[p, M, L, me] = c;
    const nessmap::StateSpace space(nessmap::Space::full, p.N);
    const Matrix Llib = library_dense(space, me);

    // Trace preservation: sum over the diagonal rows (m, m) of L vanishes column by column.
    for (const Matrix *A : {&L, &Llib}) {
      double worst = 0;
      for (std::size_t c = 0; c < A->cols; ++c) {
        cd s = 0;
        for (std::size_t m = 0; m < M.D; ++m) s += (*A)(m * M.D + m, c);
        worst = std::max(worst, std::abs(s));
      }
      CHECK(worst < 1e-13);
    }

    // L(rho)^dag = L(rho^dag): for a random Hermitian rho (L(rho) Hermitian) and for a random
    // general X.
    std::mt19937_64 rng(7);
    const Matrix rho = random_matrix(M.D, rng, true);
    const Matrix X = random_matrix(M.D, rng, false);
    for (const Matrix *A : {&L, &Llib}) {
      const Matrix Lrho = unvec(matvec(*A, vec(rho)), M.D);
      CHECK(dense_ref::max_abs_diff(Lrho, dense_ref::adjoint(Lrho)) < 1e-13);
      const Matrix LX = unvec(matvec(*A, vec(X)), M.D);
      const Matrix LXd = unvec(matvec(*A, vec(dense_ref::adjoint(X))), M.D);
      CHECK(dense_ref::max_abs_diff(dense_ref::adjoint(LX), LXd) < 1e-13);
    }
  }
}
