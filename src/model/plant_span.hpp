// What each cluster of the plant holds fixed over one span of time between
// two consecutive cuts of the replay: who sells it (and the reserving
// contract), its outage loss, and, where the curves are flat there, its
// physical capacity and its seller's price.
//
// Why: the replay's segments end at every job start, finish and fit, some
// 200,000 of them in the stress scenario (docs/reference.md §10), but these
// figures change only at the plant's own breakpoints, a few hundred times.
// Looking them up once per span instead of twice per cluster per segment
// changes no number: each is taken only where the plant says it holds
// (fixed(), the flags), and is then the very value the look-up returns at
// any instant of the span; a flat affine form is built from the same samples
// (affine_from) as affine_on would build it. Pure C++: no SimGrid.
#pragma once

#include <vector>

#include "model/plant.hpp"

namespace cloudpact {

class PlantSpan {
 public:
  struct Cluster {
    bool fixed = false;  // sale and lost_fraction hold on the whole span
    Plant::Sale sale;
    double lost_fraction = 0.0;
    bool capacity_flat = false;  // capacity_at(t): capacity_phys_gpus on the whole span
    double capacity_phys_gpus = 0.0;
    bool price_flat = false;  // sale.price->at(t): price_usd_per_gpu_hour on the whole span
    double price_usd_per_gpu_hour = 0.0;
  };

  // The span [start_s, end_s): every cluster's figures, looked up at start_s.
  // The plant must outlive the span.
  void enter(const Plant& plant, double start_s, double end_s);

  [[nodiscard]] bool inside(double t_s) const { return t_s >= start_s_ && t_s < end_s_; }

  // Cluster c's figures when they hold at t (t inside the span and c fixed);
  // nullptr when the caller must look them up itself.
  [[nodiscard]] const Cluster* fixed(size_t c, double t_s) const {
    return inside(t_s) && clusters_[c].fixed ? &clusters_[c] : nullptr;
  }

  // A segment or piece of the span: its middle, where the plant's figures
  // are read, and the two sample points of its affine forms (s), each
  // tested once against the span for all clusters.
  struct Piece {
    double mid_s;
    bool mid_inside, samples_inside;
  };
  [[nodiscard]] Piece piece(double mid_s, const AffineSamples& s) const {
    return {mid_s, inside(mid_s), inside(s.m_s) && inside(s.q_s)};
  }

  // What the piece reads of cluster c: the span's figures where they hold,
  // else the plant's own look-ups; the capacity and the seller's price
  // (sale.price) at both sample points where the span holds them flat
  // there (nullptr: the caller samples them).
  struct Lookup {
    Plant::Sale sale;
    double lost_fraction;
    const double* flat_capacity_phys_gpus;
    const double* flat_price_usd_per_gpu_hour;
  };
  [[nodiscard]] Lookup look_up(size_t c, const Piece& p) const {
    const Cluster& f = clusters_[c];
    if (!p.mid_inside || !f.fixed) {
      const int ci = static_cast<int>(c);
      return {plant_->sale(ci, p.mid_s), plant_->lost_fraction(ci, p.mid_s), nullptr, nullptr};
    }
    return {f.sale, f.lost_fraction, p.samples_inside && f.capacity_flat ? &f.capacity_phys_gpus : nullptr,
            p.samples_inside && f.price_flat ? &f.price_usd_per_gpu_hour : nullptr};
  }

 private:
  const Plant* plant_ = nullptr;
  double start_s_ = 0.0, end_s_ = 0.0;
  std::vector<Cluster> clusters_;
};

}  // namespace cloudpact
