// Correlation matrices (docs/reference.md §11): their eigenvalues, for the
// validator's positive-semidefiniteness check, and the symmetric square root
// that turns independent normals into correlated ones, for the risk problem
// builder. Pure: row-major n×n matrices of doubles.
#pragma once

#include <vector>

namespace cloudpact {

struct EigenDecomposition {
  std::vector<double> values;   // ascending
  std::vector<double> vectors;  // row-major; column k is the eigenvector of values[k]
};

// The eigenvalues and eigenvectors of a symmetric matrix, by cyclic Jacobi
// rotations (exact to rounding for the small matrices correlations are:
// validation bounds n).
EigenDecomposition symmetric_eigen(const std::vector<double>& a, int n);

// S = V·diag(√max(λ, 0))·Vᵀ, rows scaled to unit length, so that for
// independent standard normals ε, Z = S·ε has the correlation matrix C (to
// rounding; exactly when C is the identity: S = I) and every Z_i is still a
// standard normal. A singular C (a correlation of 1) is allowed: S·Sᵀ = C
// still holds.
std::vector<double> correlation_square_root(const std::vector<double>& c, int n);

}  // namespace cloudpact
