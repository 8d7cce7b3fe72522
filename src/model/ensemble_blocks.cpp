#include "model/ensemble_blocks.hpp"

#include <bit>
#include <map>
#include <numeric>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

namespace nessmap {

namespace occupation {
SymmetricBasis::Key compose(const SymmetricBasis &basis, const Numbers &h, const Numbers &c) {
  SymmetricBasis::Key key = 0;
  for (int k = 0; k < 4; ++k) {
    key = basis.shifted(key, 0, k, h[k]);
    key = basis.shifted(key, 1, k, c[k]);
  }
  return key;
}
Numbers of(const SymmetricBasis &basis, SymmetricBasis::Key key, int species) {
  Numbers n;
  for (int k = 0; k < 4; ++k) n[k] = basis.occupation(key, species, k);
  return n;
}
} // namespace occupation

EnsembleBlocks::EnsembleBlocks(const StateSpace &space) : N_(space.N()) {
  using namespace occupation;
  const int N = N_;
  const SymmetricBasis *basis = space.symmetric();
  if (basis && basis->coupling() != Coupling::all_to_all)
    throw std::invalid_argument("the symmetric space of type 2 has no Kronecker structure: each of its units holds "
                                "a hot and a cold qubit");
  for (auto &items : items_) {
    items.assign(2 * N + 1, {});
    if (basis) {
      for (int n1 = 0; n1 <= N; ++n1)
        for (int n2 = 0; n1 + n2 <= N; ++n2)
          for (int n3 = 0; n1 + n2 + n3 <= N; ++n3) items[n2 - n1 + N].push_back(pack({N - n1 - n2 - n3, n1, n2, n3}));
    } else {
      const std::uint64_t states = std::uint64_t{1} << N;
      for (std::uint64_t ket = 0; ket < states; ++ket)
        for (std::uint64_t bra = 0; bra < states; ++bra)
          items[std::popcount(ket) - std::popcount(bra) + N].push_back((ket << N) | bra);
    }
  }
  // rho's blocks: every (d_h, d_c) whose elements lie in the space.
  const std::uint64_t low = (std::uint64_t{1} << N) - 1;
  auto index_of = [&](std::uint64_t h, std::uint64_t c) -> std::int64_t {
    if (basis) return basis->index(compose(*basis, unpack(h), unpack(c)));
    const Bits m = (h >> N) | (Bits(c >> N) << N), n = (h & low) | (Bits(c & low) << N);
    return space.index(m, n);
  };
  block_of_.assign(static_cast<std::size_t>(2 * N + 1) * (2 * N + 1), -1);
  for (int dh = -N; dh <= N; ++dh)
    for (int dc = -N; dc <= N; ++dc) {
      const auto &ph = items_[0][dh + N], &pc = items_[1][dc + N];
      if (index_of(ph.front(), pc.front()) < 0) continue;  // the whole block is outside
      Block b{dh, dc, static_cast<int>(ph.size()), static_cast<int>(pc.size()), {}};
      b.index.resize(ph.size() * pc.size());
      for (std::size_t j = 0; j < pc.size(); ++j)
        for (std::size_t i = 0; i < ph.size(); ++i) b.index[i + j * ph.size()] = index_of(ph[i], pc[j]);
      block_of_[static_cast<std::size_t>(dh + N) * (2 * N + 1) + dc + N] = static_cast<int>(blocks_.size());
      blocks_.push_back(std::move(b));
    }
  hermitian_ = basis == nullptr;
  if (!hermitian_) return;
  for (int e = 0; e < 2; ++e) {
    adjoint_[e].assign(2 * N + 1, {});
    for (int d = -N; d <= N; ++d) {
      const auto &from = items_[e][d + N], &to = items_[e][-d + N];
      std::unordered_map<std::uint64_t, int> position;
      for (std::size_t i = 0; i < to.size(); ++i) position.emplace(to[i], static_cast<int>(i));
      for (std::uint64_t item : from) adjoint_[e][d + N].push_back(position.at((item & low) << N | item >> N));
    }
  }
  mirror_.assign(blocks_.size(), -1);
  for (std::size_t k = 0; k < blocks_.size(); ++k) {
    mirror_[k] = block_of(-blocks_[k].dh, -blocks_[k].dc);
    if (mirror_[k] < 0) throw std::logic_error("a block of the space has no adjoint block");
    if (blocks_[k].dh > 0 || (blocks_[k].dh == 0 && blocks_[k].dc >= 0)) leading_.push_back(static_cast<int>(k));
  }
}

int EnsembleBlocks::block_of(int dh, int dc) const {
  if (dh < -N_ || dh > N_ || dc < -N_ || dc > N_) return -1;
  return block_of_[static_cast<std::size_t>(dh + N_) * (2 * N_ + 1) + dc + N_];
}

std::shared_ptr<const EnsembleBlocks> ensemble_blocks(const StateSpace &space) {
  static std::map<std::tuple<int, int, int>, std::weak_ptr<const EnsembleBlocks>> cache;
  const Coupling coupling = space.symmetric() ? space.symmetric()->coupling() : Coupling::pairwise;
  auto &slot = cache[{static_cast<int>(space.kind()), space.N(), static_cast<int>(coupling)}];
  if (auto shared = slot.lock()) return shared;
  auto made = std::make_shared<const EnsembleBlocks>(space);
  slot = made;
  return made;
}

} // namespace nessmap
