#include "model/master_equation.hpp"

namespace nessmap {
namespace {

constexpr Complex I{0.0, 1.0};

void add_hamiltonian(std::vector<SuperTerm> &out, const Operator &H) {
  // -i H rho + i rho H
  for (const auto &[coef, op] : H) {
    out.push_back({-I * coef, op, Monomial::identity(), Part::hamiltonian, Ensemble::hot});
    out.push_back({I * coef, Monomial::identity(), op, Part::hamiltonian, Ensemble::hot});
  }
}

// rate * ( X rho Y^dag - 1/2 {Y^dag X, rho} ); X = Y gives rate * D[X].
void add_dissipator(std::vector<SuperTerm> &out, double rate, const Monomial &X, const Monomial &Y,
                    Part part, Ensemble e) {
  const Monomial Yd = Y.adjoint();
  const Monomial YdX = product_nonzero(Yd, X);
  out.push_back({rate, X, Yd, part, e});
  out.push_back({-0.5 * rate, YdX, Monomial::identity(), part, e});
  out.push_back({-0.5 * rate, Monomial::identity(), YdX, part, e});
}

// One-way (cascaded) term for an earlier qubit with jump A_n and a later one with A_n':
//   rate * ( A_n [rho, A_n'^dag] + [A_n', rho] A_n^dag )
void add_cascaded(std::vector<SuperTerm> &out, double rate, const Monomial &An, const Monomial &Anp,
                  Ensemble e) {
  const Monomial And = An.adjoint(), Anpd = Anp.adjoint();
  const Part part = Part::dissipator_nonloc;
  out.push_back({rate, An, Anpd, part, e});
  out.push_back({-rate, product_nonzero(An, Anpd), Monomial::identity(), part, e});
  out.push_back({rate, Anp, And, part, e});
  out.push_back({-rate, Monomial::identity(), product_nonzero(Anp, And), part, e});
}

void add_bath(std::vector<SuperTerm> &out, const SystemParameters &p, Ensemble e) {
  const int N = p.N;
  for (int n = 0; n < N; ++n) {
    const int q = qubit_bit(N, e, n);
    add_dissipator(out, p.gamma_minus(e, n, n), Monomial::lower(q), Monomial::lower(q),
                   Part::dissipator_loc, e);
    add_dissipator(out, p.gamma_plus(e, n, n), Monomial::raise(q), Monomial::raise(q),
                   Part::dissipator_loc, e);
  }
  if (p.bath == Bath::independent) return;
  for (int n = 0; n < N; ++n) {
    for (int m = 0; m < N; ++m) {
      if (n == m) continue;
      const int qn = qubit_bit(N, e, n), qm = qubit_bit(N, e, m);
      if (p.bath == Bath::common) {
        // Ordered pairs n != m of the collective jump L = sum_n g_n sigma-_n.
        add_dissipator(out, p.gamma_minus(e, n, m), Monomial::lower(qn), Monomial::lower(qm),
                       Part::dissipator_nonloc, e);
        add_dissipator(out, p.gamma_plus(e, n, m), Monomial::raise(qn), Monomial::raise(qm),
                       Part::dissipator_nonloc, e);
      } else if (n < m) {
        // Cascaded: qubit n collides before qubit m.
        add_cascaded(out, p.gamma_minus(e, n, m), Monomial::lower(qn), Monomial::lower(qm), e);
        add_cascaded(out, p.gamma_plus(e, n, m), Monomial::raise(qn), Monomial::raise(qm), e);
      }
    }
  }
}

} // namespace

Operator excitation_number(const SystemParameters &p, Ensemble e) {
  Operator op;
  for (int n = 0; n < p.N; ++n) op.push_back({1.0, Monomial::excited(qubit_bit(p.N, e, n))});
  return op;
}

Operator free_hamiltonian(const SystemParameters &p, Ensemble e) {
  Operator op = excitation_number(p, e);
  for (auto &t : op) t.coef *= p.omega(e);
  return op;
}

Operator interaction_hamiltonian(const SystemParameters &p) {
  Operator op;
  for (const auto &[a, b] : p.coupled_pairs()) {
    const int ha = qubit_bit(p.N, Ensemble::hot, a), cb = qubit_bit(p.N, Ensemble::cold, b);
    const double w = p.Omega[a][b];
    op.push_back({w, product_nonzero(Monomial::raise(ha), Monomial::lower(cb))});
    op.push_back({w, product_nonzero(Monomial::raise(cb), Monomial::lower(ha))});
  }
  return op;
}

Operator sigma_z(int bit) { return {{1.0, Monomial::excited(bit)}, {-1.0, Monomial::ground(bit)}}; }

MasterEquation build_master_equation(const SystemParameters &p) {
  MasterEquation me;
  auto &t = me.terms;
  add_hamiltonian(t, free_hamiltonian(p, Ensemble::hot));
  add_hamiltonian(t, free_hamiltonian(p, Ensemble::cold));
  add_hamiltonian(t, interaction_hamiltonian(p));
  add_bath(t, p, Ensemble::hot);
  add_bath(t, p, Ensemble::cold);
  return me;
}

} // namespace nessmap
