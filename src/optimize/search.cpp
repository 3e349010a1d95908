#include "optimize/search.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <nlopt.hpp>

#include "report/json_text.hpp"
#include "risk/risk_run.hpp"

namespace cloudpact::optimize {

namespace {

// What an evaluation the scenario refused gives NLopt (in units of the
// base point's objective): worse than any accepted point.
constexpr double kRefusedValue = 1e6;
// The weight of a constraint's relative excess in the global stage's
// penalised objective (against 1 for the objective at the base point).
constexpr double kPenalty = 10.0;

double relative_excess(const Evaluation& e, const std::vector<OptimizeConstraint>& constraints) {
  double total = 0.0;
  for (const OptimizeConstraint& c : constraints) {
    const double scale = c.max != 0.0 ? std::fabs(c.max) : 1.0;
    total += std::max(0.0, excess(c, e.figures)) / scale;
  }
  return total;
}

// One NLopt run over the unit box; what the callbacks share.
//
// A stage ends early (a stop signal, the evaluation budget, an error) by
// NLopt's force_stop() with a finite value returned, never by an exception
// through NLopt: its C++ wrapper answers an exception with HUGE_VAL, which
// the original DIRECT code takes for an undefined point and then reads
// memory it does not own (seen under AddressSanitizer when SIGINT reached a
// loaded machine's search).
struct Stage {
  Evaluator& evaluator;
  const Objective& objective;
  const std::vector<OptimizeConstraint>& constraints;
  const std::function<bool()>& stop_requested;
  std::string name;
  std::int64_t last_allowed = 0;  // evaluator.count() at which no new point may be evaluated
  double objective_scale = 1.0;
  std::vector<double> constraint_scale;
  // The global stage takes the constraints as a penalty on the objective
  // (below); the local stages give them to COBYLA as constraints.
  bool penalized = false;
  nlopt::opt* opt = nullptr;
  bool halted = false;       // force_stop() was called: every later call returns at once
  bool stopped = false;      // ... because a stop was requested
  std::exception_ptr error;  // ... because an evaluation failed: rethrown after NLopt returns

  // The evaluation at a point of the unit box, or nullptr once halted.
  const Evaluation* at(const std::vector<double>& unit) {
    if (halted) return nullptr;
    const std::vector<OptimizeVariable>& vars = evaluator.spec().variables;
    std::vector<double> x(unit.size());
    for (std::size_t i = 0; i < unit.size(); ++i) x[i] = vars[i].min + unit[i] * (vars[i].max - vars[i].min);
    x = evaluator.snap(x);
    if (const Evaluation* known = evaluator.find(x)) return known;
    if (stop_requested()) {
      stopped = true;
      return halt();
    }
    if (evaluator.count() >= last_allowed) return halt();
    try {
      return &evaluator.evaluate(x, name);
    } catch (const RunStopped&) {
      stopped = true;
      return halt();
    } catch (...) {
      error = std::current_exception();
      return halt();
    }
  }

  const Evaluation* halt() {
    halted = true;
    opt->force_stop();
    return nullptr;
  }
};

struct ConstraintRef {
  Stage* stage;
  std::size_t index;
};

// Both callbacks are noexcept in effect: Stage::at catches what an
// evaluation throws. A halted stage and a refused point give kRefusedValue.
double objective_cb(const std::vector<double>& u, std::vector<double>& /*grad*/, void* data) {
  Stage& s = *static_cast<Stage*>(data);
  const Evaluation* e = s.at(u);
  if (!e || !e->ok) return kRefusedValue;
  double f = objective_value(s.objective, e->figures) / s.objective_scale;
  // Penalised: each constraint's relative excess weighs kPenalty times the
  // objective's relative size, so the global stage explores where the
  // constraints hold without being told which side of them is which.
  if (s.penalized)
    for (std::size_t k = 0; k < s.constraints.size(); ++k)
      f += kPenalty * std::max(0.0, excess(s.constraints[k], e->figures) / s.constraint_scale[k]);
  return f;
}

double constraint_cb(const std::vector<double>& u, std::vector<double>& /*grad*/, void* data) {
  const ConstraintRef& ref = *static_cast<ConstraintRef*>(data);
  Stage& s = *ref.stage;
  const Evaluation* e = s.at(u);
  return e && e->ok ? excess(s.constraints[ref.index], e->figures) / s.constraint_scale[ref.index] : kRefusedValue;
}

// Runs `algorithm` from `start` (unit box) until its own tolerance, the
// evaluation budget or a stop. Returns false when stopped.
bool run_stage(Stage& stage, nlopt::algorithm algorithm, std::vector<double> start, double initial_step) {
  const std::size_t n = start.size();
  nlopt::opt opt(algorithm, static_cast<unsigned>(n));
  stage.opt = &opt;
  opt.set_lower_bounds(std::vector<double>(n, 0.0));
  opt.set_upper_bounds(std::vector<double>(n, 1.0));
  opt.set_min_objective(objective_cb, &stage);
  std::vector<ConstraintRef> refs;
  refs.reserve(stage.constraints.size());
  for (std::size_t k = 0; k < stage.constraints.size(); ++k) refs.push_back({&stage, k});
  if (!stage.penalized)
    for (ConstraintRef& r : refs) opt.add_inequality_constraint(constraint_cb, &r, 0.0);
  // NLopt counts repeated points too (answered from the cache): its own
  // count only guards against a search that cycles on cached points.
  const std::int64_t budget = std::max<std::int64_t>(1, stage.last_allowed - stage.evaluator.count());
  opt.set_maxeval(static_cast<int>(std::min<std::int64_t>(20 * budget + 100, 2'000'000'000)));
  // The search stops refining at 1e-4 of each variable's range: finer steps
  // fit the sample's noise (an optimum's sampling error is far wider, §15.4),
  // not the answer.
  opt.set_xtol_abs(std::vector<double>(n, 1e-4));
  if (initial_step > 0) opt.set_initial_step(std::vector<double>(n, initial_step));
  // DIRECT and COBYLA draw no random numbers; a fixed seed keeps it so for any algorithm.
  nlopt::srand(1);
  double f = 0.0;
  try {
    opt.optimize(start, f);
  } catch (const nlopt::forced_stop&) {
  } catch (const nlopt::roundoff_limited&) {
    // The search met the resolution of its own arithmetic: done.
  } catch (const std::runtime_error&) {
    // NLopt's generic failure: the points evaluated are kept, the stage ends.
  }
  if (stage.error) std::rethrow_exception(stage.error);
  return !stage.stopped;
}

std::vector<double> to_unit(const Evaluator& ev, const std::vector<double>& x) {
  const std::vector<OptimizeVariable>& vars = ev.spec().variables;
  std::vector<double> u(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) u[i] = std::clamp((x[i] - vars[i].min) / (vars[i].max - vars[i].min), 0.0, 1.0);
  return u;
}

}  // namespace

bool better(const Evaluation& a, const Evaluation& b, const Objective& objective,
            const std::vector<OptimizeConstraint>& constraints) {
  if (a.ok != b.ok) return a.ok;
  if (a.ok) {
    const double ea = relative_excess(a, constraints), eb = relative_excess(b, constraints);
    const bool fa = ea == 0.0, fb = eb == 0.0;
    if (fa != fb) return fa;
    const double oa = fa ? objective_value(objective, a.figures) : ea;
    const double ob = fb ? objective_value(objective, b.figures) : eb;
    if (oa != ob) return oa < ob;
  }
  return a.number < b.number;
}

const Evaluation* best_of(const std::deque<Evaluation>& evaluations, const Objective& objective,
                          const std::vector<OptimizeConstraint>& constraints) {
  const Evaluation* best = nullptr;
  for (const Evaluation& e : evaluations)
    if (!best || better(e, *best, objective, constraints)) best = &e;
  return best;
}

SearchOutcome run_search(Evaluator& ev, const std::function<bool()>& stop_requested) {
  const OptimizeSpec& spec = ev.spec();
  SearchOutcome out;
  const std::vector<OptimizeConstraint>& cons = spec.constraints;

  // The base scenario as written: the point every other is compared with,
  // and the scales of the search.
  std::vector<double> base_values;
  for (const OptimizeVariable& v : spec.variables) base_values.push_back(v.base_value);
  base_values = ev.snap(base_values);
  if (stop_requested()) {
    out.stopped = true;
    return out;
  }
  try {
    out.base = &ev.evaluate(base_values, "base");
  } catch (const RunStopped&) {
    out.stopped = true;
    return out;
  }

  const auto make_stage = [&](const Objective& objective, std::string name, std::int64_t budget) {
    Stage s{ev, objective, cons, stop_requested, std::move(name), 0, 1.0, {}, false, nullptr, false, false, {}};
    s.last_allowed = ev.count() + budget;
    const double f0 = out.base->ok ? std::fabs(objective_value(objective, out.base->figures)) : 0.0;
    s.objective_scale = std::isfinite(f0) && f0 > 0 ? f0 : 1.0;
    for (const OptimizeConstraint& c : cons) {
      const double m0 = out.base->ok ? std::fabs(out.base->figures.metric(c.metric)) : 0.0;
      const double scale = std::max(std::fabs(c.max), std::isfinite(m0) ? m0 : 0.0);
      s.constraint_scale.push_back(scale > 0 ? scale : 1.0);
    }
    return s;
  };

  // Global stage: 60% of the budget left after the base point; the rest
  // polishes its best point.
  const std::int64_t left = spec.max_evaluations - ev.count();
  const std::int64_t global_budget = std::max<std::int64_t>(1, (left * 3) / 5);
  bool running = true;
  {
    Stage g = make_stage(spec.objective, "global", global_budget);
    // NLopt's own DIRECT-L (cdirect), not the original Fortran-derived
    // code (GN_ORIG_DIRECT_L): that one takes constraints itself but reads
    // memory it does not own when stopped early (a stop signal, or a budget
    // that ends inside its first sampling), seen under AddressSanitizer.
    g.penalized = true;
    running = run_stage(g, nlopt::GN_DIRECT_L, std::vector<double>(spec.variables.size(), 0.5), 0.0);
  }
  if (running && ev.count() < spec.max_evaluations) {
    // The polish starts where the global stage left its best point, with
    // steps of about the size of DIRECT's smallest cells there.
    const Evaluation* start = best_of(ev.all(), spec.objective, cons);
    Stage l = make_stage(spec.objective, "local", spec.max_evaluations - ev.count());
    running = run_stage(l, nlopt::LN_COBYLA, to_unit(ev, start->values), 1.0 / 32.0);
  }
  out.search_evaluations = ev.count();

  // The frontier: mean + λ·CVaR95 for each λ, each from its best point so far.
  if (running) {
    for (const double lambda : spec.frontier) {
      const Objective o{ObjectiveKind::mean_plus_cvar95, lambda};
      const Evaluation* start = best_of(ev.all(), o, cons);
      Stage f = make_stage(o, "frontier:" + json_number(lambda), spec.frontier_evaluations);
      if (!run_stage(f, nlopt::LN_COBYLA, to_unit(ev, start->values), 1.0 / 32.0)) {
        running = false;
        break;
      }
    }
    if (running)
      for (const double lambda : spec.frontier)
        out.frontier.push_back({lambda, best_of(ev.all(), {ObjectiveKind::mean_plus_cvar95, lambda}, cons)});
  }
  out.stopped = !running;
  out.best = best_of(ev.all(), spec.objective, cons);
  out.feasible = out.best && out.best->ok && relative_excess(*out.best, cons) == 0.0;
  return out;
}

}  // namespace cloudpact::optimize
