#include "scenario/correlation_matrix.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cloudpact {

EigenDecomposition symmetric_eigen(const std::vector<double>& matrix, int n) {
  const auto N = static_cast<size_t>(n);
  std::vector<double> a = matrix, v(N * N, 0.0);
  for (size_t i = 0; i < N; ++i) v[i * N + i] = 1.0;
  auto at = [&](std::vector<double>& m, size_t i, size_t j) -> double& { return m[i * N + j]; };
  double norm = 0.0;
  for (double x : a) norm += x * x;
  // Cyclic Jacobi: each rotation zeroes one off-diagonal pair; sweeps until
  // what is left off the diagonal is rounding.
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0.0;
    for (size_t i = 0; i < N; ++i)
      for (size_t j = i + 1; j < N; ++j) off += at(a, i, j) * at(a, i, j);
    if (off <= 1e-30 * norm || off == 0.0) break;
    for (size_t p = 0; p < N; ++p)
      for (size_t q = p + 1; q < N; ++q) {
        const double apq = at(a, p, q);
        if (apq == 0.0) continue;
        const double theta = (at(a, q, q) - at(a, p, p)) / (2.0 * apq);
        const double t = (theta >= 0.0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (size_t k = 0; k < N; ++k) {  // A ← A·J
          const double akp = at(a, k, p), akq = at(a, k, q);
          at(a, k, p) = c * akp - s * akq;
          at(a, k, q) = s * akp + c * akq;
        }
        for (size_t k = 0; k < N; ++k) {  // A ← Jᵀ·A
          const double apk = at(a, p, k), aqk = at(a, q, k);
          at(a, p, k) = c * apk - s * aqk;
          at(a, q, k) = s * apk + c * aqk;
        }
        for (size_t k = 0; k < N; ++k) {  // V ← V·J
          const double vkp = at(v, k, p), vkq = at(v, k, q);
          at(v, k, p) = c * vkp - s * vkq;
          at(v, k, q) = s * vkp + c * vkq;
        }
      }
  }
  std::vector<size_t> order(N);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return at(a, x, x) < at(a, y, y); });
  EigenDecomposition out;
  out.vectors.assign(N * N, 0.0);
  for (size_t k = 0; k < N; ++k) {
    out.values.push_back(at(a, order[k], order[k]));
    for (size_t i = 0; i < N; ++i) out.vectors[i * N + k] = at(v, i, order[k]);
  }
  return out;
}

std::vector<double> correlation_square_root(const std::vector<double>& c, int n) {
  const auto N = static_cast<size_t>(n);
  const EigenDecomposition e = symmetric_eigen(c, n);
  std::vector<double> s(N * N, 0.0);
  for (size_t i = 0; i < N; ++i)
    for (size_t j = 0; j < N; ++j) {
      double x = 0.0;
      for (size_t k = 0; k < N; ++k)
        x += e.vectors[i * N + k] * std::sqrt(std::max(0.0, e.values[k])) * e.vectors[j * N + k];
      s[i * N + j] = x;
    }
  // Unit rows: each Z_i keeps variance 1 (a negative eigenvalue of rounding,
  // dropped above, would otherwise shave it).
  for (size_t i = 0; i < N; ++i) {
    double norm = 0.0;
    for (size_t j = 0; j < N; ++j) norm += s[i * N + j] * s[i * N + j];
    norm = std::sqrt(norm);
    if (norm > 0.0 && norm != 1.0)
      for (size_t j = 0; j < N; ++j) s[i * N + j] /= norm;
  }
  return s;
}

}  // namespace cloudpact
