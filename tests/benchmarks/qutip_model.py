"""The nessmap model written plainly with QuTiP's own operators (reference for the benchmark).

Everything here follows ../../../shared/physics.md (the project's physics reference), written
independently of nessmap's sources: 2N qubits ordered h_1..h_N, c_1..c_N; sigma+ = qutip.sigmap(),
sigma- = qutip.sigmam() (QuTiP's basis(2,0) is the excited state; sigmaz() = 2 sigma+ sigma- - 1
as physics.md writes it); hbar = k_B = 1.

    H_0 = sum_{i,n} omega_i s+_{i,n} s-_{i,n}
    H_I = sum_{(a,b) in P} Omega_ab (s+_{h,a} s-_{c,b} + h.c.)
    d rho/dt = -i[H_0 + H_I, rho] + sum_i (D_loc^(i) + D_nonloc^(i))(rho)

with the three bath models of physics.md (independent, common, cascaded) and the currents from
their trace definitions, Q_i = Tr[H_0^(i) D^(i)(rho)], W = Tr[H_I sum_i D^(i)(rho)], and their
loc / nonloc parts.

Public functions:
    model(N, bath, coupling, omega_h, omega_c, T_h, T_c, g_h, g_c, Omega) -> (L, ops)
    steady_state(L) -> rho
    currents(rho, ops) -> dict(Q_h, Q_c, W, Q_h_loc, Q_h_nonloc, Q_c_loc, Q_c_nonloc,
                               W_loc, W_nonloc)
    solve(**params) -> dict of currents (build + steadystate + currents)

Note: QuTiP 4.7's two-operator lindblad_dissipator(a, b) puts a^dag b (not b^dag a) into the
anticommutator, so the cross terms below are written with spre/spost directly.
"""
import numpy as np
import qutip

BATHS = ("common", "cascaded", "independent")
COUPLINGS = ("pairwise", "all_to_all")
CURRENT_KEYS = ("Q_h", "Q_c", "W", "Q_h_loc", "Q_h_nonloc", "Q_c_loc", "Q_c_nonloc",
                "W_loc", "W_nonloc")


def _site_op(op, k, M):
    """op acting on qubit k of M qubits (identity elsewhere)."""
    ops = [qutip.qeye(2)] * M
    ops[k] = op
    return qutip.tensor(ops)


def _omega_matrix(N, coupling, Omega):
    """The N x N matrix Omega_ab; a scalar means every coupled pair (diagonal for pairwise)."""
    Om = np.asarray(Omega, dtype=float)
    if coupling == "all_to_all":
        if Om.ndim == 0:
            return np.full((N, N), float(Om))
        if Om.shape == (N, N):
            return Om.copy()
        raise ValueError("all_to_all: Omega must be a scalar or an N x N matrix")
    if coupling == "pairwise":
        if Om.ndim == 0:
            return np.eye(N) * float(Om)
        if Om.shape == (N,):
            return np.diag(Om)
        if Om.shape == (N, N):
            if np.any(Om - np.diag(np.diag(Om))):
                raise ValueError("pairwise: Omega must be diagonal")
            return Om.copy()
        raise ValueError("pairwise: Omega must be a scalar, an N-vector or a diagonal matrix")
    raise ValueError(f"unknown coupling {coupling!r}")


def _vector(g, N):
    g = np.asarray(g, dtype=float)
    return np.full(N, float(g)) if g.ndim == 0 else g[:N].copy()


def _zero_super(dims_op):
    """The zero superoperator on operators of the given Hilbert dims."""
    z = qutip.qzero(dims_op[0])
    return 0 * qutip.spre(z)


def _bath_dissipators(sm, sp, g, omega, T, bath):
    """(D_loc, D_nonloc) superoperators of one bath acting on its ensemble (lists sm, sp of the
    ensemble's lowering / raising operators on the full space)."""
    N = len(sm)
    nbar = 1.0 / np.expm1(omega / T)
    gm = np.outer(g, g) * (nbar + 1.0)      # gamma-_{kl}: emission
    gp = np.outer(g, g) * nbar              # gamma+_{kl}: absorption
    spre, spost = qutip.spre, qutip.spost

    D_loc = _zero_super(sm[0].dims)
    for n in range(N):
        D_loc += gm[n, n] * qutip.lindblad_dissipator(sm[n]) \
            + gp[n, n] * qutip.lindblad_dissipator(sp[n])

    D_nonloc = _zero_super(sm[0].dims)
    if bath == "independent":
        pass
    elif bath == "common":
        # sum over ordered pairs n != n':
        #   gamma-_{nn'} ( s-_n rho s+_n' - 1/2 {s+_n' s-_n, rho} )
        # + gamma+_{nn'} ( s+_n rho s-_n' - 1/2 {s-_n' s+_n, rho} )
        for n in range(N):
            for m in range(N):
                if n == m:
                    continue
                A = sp[m] * sm[n]
                B = sm[m] * sp[n]
                D_nonloc += gm[n, m] * (spre(sm[n]) * spost(sp[m]) - 0.5 * spre(A) - 0.5 * spost(A))
                D_nonloc += gp[n, m] * (spre(sp[n]) * spost(sm[m]) - 0.5 * spre(B) - 0.5 * spost(B))
    elif bath == "cascaded":
        # pairs n < n' (n earlier):
        #   gamma-_{nn'} ( s-_n [rho, s+_n'] + [s-_n', rho] s+_n )
        # + gamma+_{nn'} ( s+_n [rho, s-_n'] + [s+_n', rho] s-_n )
        # spre(X) rho = X rho, spost(Y) rho = rho Y.
        for n in range(N):
            for m in range(n + 1, N):
                # s-_n [rho, s+_m] = s-_n rho s+_m - s-_n s+_m rho
                # [s-_m, rho] s+_n = s-_m rho s+_n - rho s-_m s+_n
                D_nonloc += gm[n, m] * (spre(sm[n]) * spost(sp[m]) - spre(sm[n] * sp[m])
                                        + spre(sm[m]) * spost(sp[n]) - spost(sm[m] * sp[n]))
                D_nonloc += gp[n, m] * (spre(sp[n]) * spost(sm[m]) - spre(sp[n] * sm[m])
                                        + spre(sp[m]) * spost(sm[n]) - spost(sp[m] * sm[n]))
    else:
        raise ValueError(f"unknown bath {bath!r}")
    return D_loc, D_nonloc


def model(N, bath, coupling, omega_h, omega_c, T_h, T_c, g_h, g_c, Omega):
    """Liouvillian superoperator L and a dict ops of what the currents need."""
    M = 2 * N
    sm = [_site_op(qutip.sigmam(), k, M) for k in range(M)]
    sp = [_site_op(qutip.sigmap(), k, M) for k in range(M)]
    sm_h, sm_c = sm[:N], sm[N:]
    sp_h, sp_c = sp[:N], sp[N:]
    g_h = _vector(g_h, N)
    g_c = _vector(g_c, N)
    Om = _omega_matrix(N, coupling, Omega)

    H0_h = omega_h * sum(sp_h[n] * sm_h[n] for n in range(N))
    H0_c = omega_c * sum(sp_c[n] * sm_c[n] for n in range(N))
    H_I = 0 * H0_h
    for a in range(N):
        for b in range(N):
            if Om[a, b] != 0.0:
                X = sp_h[a] * sm_c[b]
                H_I += Om[a, b] * (X + X.dag())
    H = H0_h + H0_c + H_I

    Dh_loc, Dh_nonloc = _bath_dissipators(sm_h, sp_h, g_h, omega_h, T_h, bath)
    Dc_loc, Dc_nonloc = _bath_dissipators(sm_c, sp_c, g_c, omega_c, T_c, bath)
    L = qutip.liouvillian(H) + Dh_loc + Dh_nonloc + Dc_loc + Dc_nonloc
    ops = dict(H0_h=H0_h, H0_c=H0_c, H_I=H_I,
               Dh_loc=Dh_loc, Dh_nonloc=Dh_nonloc, Dc_loc=Dc_loc, Dc_nonloc=Dc_nonloc)
    return L, ops


def steady_state(L):
    return qutip.steadystate(L)


def _apply(D, rho):
    return qutip.vector_to_operator(D * qutip.operator_to_vector(rho))


def _tr(A, B):
    return float(np.real((A * B).tr()))


def currents(rho, ops):
    """The currents of physics.md from the trace definitions."""
    Dh_loc = _apply(ops["Dh_loc"], rho)
    Dh_nl = _apply(ops["Dh_nonloc"], rho)
    Dc_loc = _apply(ops["Dc_loc"], rho)
    Dc_nl = _apply(ops["Dc_nonloc"], rho)
    H0_h, H0_c, H_I = ops["H0_h"], ops["H0_c"], ops["H_I"]
    r = dict(Q_h_loc=_tr(H0_h, Dh_loc), Q_h_nonloc=_tr(H0_h, Dh_nl),
             Q_c_loc=_tr(H0_c, Dc_loc), Q_c_nonloc=_tr(H0_c, Dc_nl),
             W_loc=_tr(H_I, Dh_loc + Dc_loc), W_nonloc=_tr(H_I, Dh_nl + Dc_nl))
    r["Q_h"] = _tr(H0_h, Dh_loc + Dh_nl)
    r["Q_c"] = _tr(H0_c, Dc_loc + Dc_nl)
    r["W"] = _tr(H_I, Dh_loc + Dh_nl + Dc_loc + Dc_nl)
    return r


def paper_params(N, bath, coupling, omega_h):
    """The paper's parameter set (physics.md), extended to any N with non-uniform
    g_h = g_c = 0.5, 0.55, 0.6, 0.65, ..."""
    g = [round(0.5 + 0.05 * k, 10) for k in range(N)]
    return dict(N=N, bath=bath, coupling=coupling, omega_h=omega_h, omega_c=1.0, T_h=2.0,
                T_c=1.0, g_h=g, g_c=g, Omega=0.1)


def solve(**params):
    """Build + steadystate + currents for one point: what a QuTiP user does per point."""
    L, ops = model(**params)
    rho = steady_state(L)
    return currents(rho, ops)


if __name__ == "__main__":
    import json
    import sys
    p = paper_params(int(sys.argv[1]) if len(sys.argv) > 1 else 2,
                     sys.argv[2] if len(sys.argv) > 2 else "cascaded",
                     sys.argv[3] if len(sys.argv) > 3 else "pairwise",
                     float(sys.argv[4]) if len(sys.argv) > 4 else 1.5)
    print(json.dumps(solve(**p)))
