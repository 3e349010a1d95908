// The table itself (see fields.hpp). Meanings are written for the person
// reading docs/scenario-format.md and the schema's descriptions in an editor:
// they say what a value does to the simulation, not how it is parsed.
#include "scenario/fields.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <stdexcept>

#include "scenario/limits.hpp"

namespace cloudpact::scenario_format {
namespace {

using Json = nlohmann::json;

constexpr double int_min = std::numeric_limits<int>::min();
constexpr double int_max = std::numeric_limits<int>::max();

// Ranges every number of the format has (docs/reference.md §9.3): generous
// for an analyst, narrow enough that every product the engines form stays
// finite and every per-path total fits `risk`'s fixed point (the worst case
// of a whole scenario is checked too: scenario/cost_bound.hpp).
const Range usd_per_gpu_hour = Range::closed(0, limits::max_usd_per_gpu_hour);
const Range hours = Range::closed(0, limits::max_duration_hours);
// A sampled sweep value, and min + (max − min)·u, stay finite and exact as integers.
const Range sweep_value = Range::closed(-1e15, 1e15);

Field id_key(std::string meaning) {
  return {.key = "id", .type = Type::id, .need = Need::required, .meaning = std::move(meaning)};
}

// The field that tells variants apart (a workload's kind, an event's type).
Field constant(std::string key, std::string value, std::string meaning) {
  return {.key = std::move(key),
          .type = Type::choice,
          .values = {std::move(value)},
          .need = Need::required,
          .meaning = std::move(meaning)};
}

Field date(std::string key, std::string meaning) {
  return {
      .key = std::move(key), .type = Type::date, .unit = "UTC", .need = Need::required, .meaning = std::move(meaning)};
}

std::vector<ObjectSpec> scenario_objects() {
  std::vector<ObjectSpec> out;

  out.push_back({
      .name = "scenario",
      .title = "Scenario files",
      .level = 2,
      .summary = "A cloudpact scenario: providers, contracts, workloads and the events a buyer of AI compute fears.",
      .intro = "The top level of a scenario file:",
      .fields =
          {
              {.key = "name",
               .type = Type::id,
               .need = Need::required,
               .meaning = "Scenario name; names the output folder `out/<name>/`."},
              date("start", "Start of the simulated horizon."),
              date("end", "End of the horizon; must be after `start`. The horizon is [start, end)."),
              {.key = "accelerators",
               .type = Type::object,
               .container = Container::map,
               .ref = "accelerator",
               .map_keys = "accelerator id",
               .default_text = "none",
               .meaning = "Accelerator kinds. Without this section, every accelerator id used stands for itself with "
                          "`h100_equiv` 1 and `kw` 1. With it, every id used must be declared."},
              {.key = "providers",
               .type = Type::object,
               .container = Container::array,
               .ref = "provider",
               .min_items = 1,
               .need = Need::required,
               .meaning = "Clouds and the capacity they hold."},
              {.key = "contracts",
               .type = Type::object,
               .container = Container::array,
               .ref = "contract",
               .default_value = Json::array(),
               .meaning = "What the buyer has signed."},
              {.key = "workloads",
               .type = Type::object,
               .container = Container::array,
               .ref = "workload",
               .need = Need::required,
               .meaning = "What needs compute (may be empty)."},
              {.key = "policy",
               .type = Type::object,
               .ref = "policy",
               .default_value = Json{{"placement", "cheapest"}},
               .meaning = "How workloads are placed on capacity."},
              {.key = "events",
               .type = Type::object,
               .container = Container::array,
               .ref = "event",
               .default_value = Json::array(),
               .meaning = "Dated outages, price changes, delivery delays, demand shocks."},
              {.key = "uncertainty",
               .type = Type::object,
               .ref = "uncertainty",
               .default_text = "none",
               .meaning = "Sampled futures for `risk`. Without it, `risk` replays only the scenario's events."},
              {.key = "negotiation",
               .type = Type::object,
               .ref = "negotiation",
               .default_text = "none",
               .meaning = "Bargaining inputs for the `leverage` block of `risk`."},
              {.key = "finance",
               .type = Type::object,
               .ref = "finance",
               .default_text = "none",
               .meaning = "The time value of money: present values beside every nominal figure."},
              {.key = "output",
               .type = Type::object,
               .ref = "output",
               .default_value = Json{{"interval_hours", 24}},
               .meaning = "Output resolution."},
          },
      .notes = "Keys starting with `x-` or `$` are free here and in every object below: comments (`x-comment`), "
               "sources (`x-source`, a string or an array of strings), assumptions (`x-assumptions`), stories "
               "(`x-story`), `$schema`. cloudpact ignores them. Any other key not in its object's table is an error, "
               "so a typo never passes silently.",
  });

  out.push_back({
      .name = "accelerator",
      .title = "Accelerators",
      .summary = "An accelerator model.",
      .intro = "Each value of `accelerators` is keyed by the accelerator id (e.g. `\"GB200\"`), the id the clusters "
               "and the on-demand price tables refer to.",
      .fields =
          {
              {.key = "h100_equiv",
               .unit = "H100-eq per physical GPU",
               .range = Range::closed(1e-3, 1e3),
               .default_value = 1,
               .meaning = "Compute of one GPU relative to an H100 (BF16 dense 989 TFLOP/s). Scales capacity and the "
                          "work a training job does."},
              {.key = "kw",
               .unit = "kW per physical GPU",
               .range = Range::closed(0, 1e3),
               .default_value = 1,
               .meaning = "Power draw. Validated; no computation or output uses it yet."},
          },
  });

  out.push_back({
      .name = "provider",
      .title = "Providers",
      .summary = "A cloud provider.",
      .fields =
          {
              id_key("Provider id, the first element of paths."),
              {.key = "on_demand_usd_per_gpu_hour",
               .container = Container::map,
               .map_keys = "accelerator id",
               .unit = "USD per physical GPU-hour",
               .range = usd_per_gpu_hour,
               .default_value = Json::object(),
               .meaning = "List price of the provider's unreserved clusters. No entry for an accelerator = not for "
                          "sale on demand. Changed over time by `price_change` events."},
              {.key = "egress_usd_per_gb",
               .unit = "USD per GB",
               .range = Range::closed(0, 1e3),
               .default_value = 0,
               .meaning = "Charged on data leaving this provider, e.g. a training dataset when the job restarts "
                          "elsewhere."},
              {.key = "regions",
               .type = Type::object,
               .container = Container::array,
               .ref = "region",
               .min_items = 1,
               .need = Need::required,
               .meaning = "The provider's regions."},
          },
  });

  out.push_back({
      .name = "region",
      .title = "Regions",
      .summary = "A region of a provider.",
      .fields =
          {
              id_key("Region id (unique within its provider), the second element of paths."),
              {.key = "clusters",
               .type = Type::object,
               .container = Container::array,
               .ref = "cluster",
               .min_items = 1,
               .need = Need::required,
               .meaning = "The region's clusters."},
          },
  });

  out.push_back({
      .name = "cluster",
      .title = "Clusters",
      .summary = "A cluster: becomes one simulated host.",
      .fields =
          {
              id_key("Cluster id (unique within its region), the third element of paths."),
              {.key = "accelerator",
               .type = Type::id,
               .id_of = "accelerator",
               .need = Need::required,
               .meaning = "Key of `accelerators` (or any id when that section is absent)."},
              {.key = "capacity_gpus",
               .type = Type::curve,
               .unit = "physical GPUs",
               .range = Range::closed(0, limits::max_gpus_per_cluster),
               .need = Need::required,
               .meaning = "GPUs delivered over time. Capacity offered = this × `h100_equiv`."},
          },
  });

  out.push_back({
      .name = "curve_points",
      .title = "Curves",
      .summary = "A curve given by points with strictly increasing dates.",
      .intro = "A curve (capacity, demand, contract price) is a number, constant over the horizon, or an object "
               "giving its shape and points. The number, or each point's value, lies in the range of the curve's "
               "field: `capacity_gpus` [0, 1e9], `demand_gpus` [0, 1e10], a contract's `price_usd_per_gpu_hour` "
               "[0, 1e6]; the range below is the widest of them.",
      .fields =
          {
              {.key = "shape",
               .type = Type::choice,
               .values = {"step", "linear"},
               .need = Need::required,
               .meaning = "`step`: the value of the last point at or before t. `linear`: interpolated between points, "
                          "constant after the last. Both are 0 before the first point."},
              {.key = "points",
               .type = Type::point,
               .container = Container::array,
               .unit = "the curve's unit",
               .min_items = 1,
               .need = Need::required,
               .meaning = "At least one point, dates strictly increasing."},
          },
  });

  out.push_back({
      .name = "contract",
      .title = "Contracts",
      .summary = "A contract reserving clusters of one provider.",
      .fields =
          {
              id_key("Contract id (used by `price_change` events and in reports)."),
              {.key = "provider",
               .type = Type::id,
               .id_of = "provider",
               .need = Need::required,
               .meaning = "The seller."},
              date("start", "Term start."),
              date("end", "Term end, after `start`. May lie beyond the horizon."),
              {.key = "clusters",
               .type = Type::cluster_path,
               .container = Container::array,
               .min_items = 1,
               .need = Need::required,
               .meaning = "Paths of the clusters the contract reserves for its term. Each must belong to "
                          "`provider` and be listed once. No other contract may reserve them over an overlapping "
                          "term."},
              {.key = "billing",
               .type = Type::choice,
               .values = {"reserved", "usage"},
               .default_value = "reserved",
               .meaning = "`reserved`: every delivered physical GPU-hour of the clusters in the term is billed, used "
                          "or not, outage hours included. `usage`: only used GPU-hours are billed."},
              {.key = "price_usd_per_gpu_hour",
               .type = Type::curve,
               .unit = "USD per physical GPU-hour",
               .range = usd_per_gpu_hour,
               .need = Need::required,
               .meaning = "Contract price; a curve gives scheduled repricing. `price_change` events can change it."},
              {.key = "commitment_usd",
               .unit = "USD",
               .range = Range::closed(0, limits::max_commitment_usd),
               .default_text = "none",
               .meaning = "Minimum total billed over the term. If the term ends inside the horizon, the shortfall is "
                          "billed on `end`. Otherwise reports give the commitment remaining at the horizon. For a term "
                          "that began before `start`: what remains of it then (bills before `start` are not known)."},
              {.key = "min_spend_usd_per_year",
               .unit = "USD per contract-year",
               .range = Range::closed(0, limits::max_commitment_usd),
               .default_value = 0,
               .meaning = "Take-or-pay per contract-year (periods start at `start` and each anniversary). The "
                          "shortfall of each period that ends inside the horizon is billed at its end."},
              {.key = "sla",
               .type = Type::object,
               .ref = "sla",
               .default_text = "none (no credits)",
               .meaning = "Service-level credits."},
              {.key = "exit_fee_pct_of_remaining",
               .unit = "% of the remaining commitment",
               .range = Range::closed(0, 100),
               .default_value = 0,
               .meaning = "Cost of leaving early, for the lock-in metrics of `risk`."},
          },
  });

  out.push_back({
      .name = "sla",
      .title = "SLA",
      .summary = "Service credits.",
      .fields =
          {
              {.key = "credits",
               .type = Type::object,
               .container = Container::array,
               .ref = "sla_tier",
               .need = Need::required,
               .meaning = "The tiers, in any order."},
          },
  });

  out.push_back({
      .name = "sla_tier",
      .title = "SLA tiers",
      .summary = "Availability strictly below below_pct earns credit_pct of the month's bill.",
      .fields =
          {
              {.key = "below_pct",
               .unit = "% monthly availability",
               .range = Range::open_closed(0, 100),
               .need = Need::required,
               .meaning = "The tier applies when availability is strictly below this. Each value at most once."},
              {.key = "credit_pct",
               .unit = "% of the month's bill",
               .range = Range::closed(0, 100),
               .need = Need::required,
               .meaning = "Share of that calendar month's bill for the contract credited back."},
          },
      .notes = "Availability per calendar month = 1 − (outage capacity-hours of the reserved clusters) / (delivered "
               "capacity-hours of the reserved clusters). Of the tiers that availability is strictly below, the one "
               "with the lowest `below_pct` applies. The credit is granted at the end of the month, or at the "
               "contract's end or the horizon for the last partial month. For example, with AWS's tiers "
               "(99.99/10, 99.0/30, 95.0/100), 96.7% earns 30%.",
  });

  out.push_back({
      .name = "workload",
      .title = "Workloads",
      .summary = "A workload: inference or training, told apart by kind.",
      .intro = "Every workload has `kind`; the other fields depend on it.",
      .variants = {"inference_workload", "training_workload"},
  });

  out.push_back({
      .name = "inference_workload",
      .title = "Workloads: inference",
      .level = 4,
      .summary = "Demand in H100-equivalents at every instant.",
      .fields =
          {
              id_key("Workload id."),
              constant("kind", "inference", "Selects this table."),
              {.key = "demand_gpus",
               .type = Type::curve,
               .unit = "H100-eq",
               .range = Range::closed(0, limits::max_demand_gpus),
               .need = Need::required,
               .meaning = "GPUs needed at every instant. Any mix of eligible clusters can serve it. Unserved demand "
                          "is unmet."},
              {.key = "value_usd_per_gpu_hour",
               .unit = "USD per H100-eq hour",
               .range = usd_per_gpu_hour,
               .default_value = 0,
               .meaning = "Value of an unmet GPU-hour (reported as `unmet_value_usd` and counted in `risk` cost, not "
                          "billed)."},
              {.key = "providers",
               .type = Type::id,
               .container = Container::array,
               .id_of = "provider",
               .min_items = 1,
               .default_text = "all, in file order",
               .meaning = "Eligible providers, in preference order (used by `primary` placement), each once."},
              {.key = "priority",
               .type = Type::integer,
               .range = Range::closed(int_min, int_max),
               .default_value = 0,
               .meaning = "Lower is served first; ties in file order."},
          },
  });

  out.push_back({
      .name = "training_workload",
      .title = "Workloads: training",
      .level = 4,
      .summary = "A job needing gpus H100-equivalents on one cluster until flops are done.",
      .fields =
          {
              id_key("Workload id."),
              constant("kind", "training", "Selects this table."),
              date("submit", "When the job asks for GPUs."),
              {.key = "flops",
               .unit = "FLOP",
               .range = Range::open_closed(0, 1e35),
               .need = Need::required,
               .meaning = "Total work."},
              {.key = "gpus",
               .unit = "H100-eq",
               .range = Range::open_closed(0, 1e12),
               .need = Need::required,
               .meaning = "GPUs needed at once, all on one cluster. The job never runs on fewer."},
              {.key = "mfu",
               .range = Range::open_closed(0, 1),
               .default_value = 0.4,
               .meaning = "Model FLOP utilisation. Runtime = `flops` / (`gpus` × 989e12 × `mfu`) seconds."},
              {.key = "checkpoint_hours",
               .unit = "hours of running",
               .range = hours,
               .default_value = 0,
               .default_text = "(never)",
               .meaning = "A checkpoint is saved after every this many hours of running. An interruption rolls back "
                          "to the last checkpoint (with 0: to the beginning)."},
              {.key = "restart_hours",
               .unit = "hours",
               .range = hours,
               .default_value = 0,
               .meaning = "Delay between an interruption and the restart."},
              {.key = "dataset_tb",
               .unit = "TB",
               .range = Range::closed(0, 1e6),
               .default_value = 0,
               .meaning = "Data moved when the job restarts on another provider, billed as egress at the source "
                          "provider's `egress_usd_per_gb`."},
              {.key = "providers",
               .type = Type::id,
               .container = Container::array,
               .id_of = "provider",
               .min_items = 1,
               .default_text = "all, in file order",
               .meaning = "Eligible providers, each once."},
              {.key = "priority",
               .type = Type::integer,
               .range = Range::closed(int_min, int_max),
               .default_value = 0,
               .meaning = "Lower gets free capacity first; ties in file order. Priority never evicts a running job."},
          },
      .notes = "A training job starts, and restarts, on the eligible cluster with `gpus` free that has the lowest "
               "marginal cost per H100-equivalent hour (0 when reserved, else its usage contract's or on-demand price; "
               "docs/reference.md §2.5), ties in file order. It keeps that "
               "cluster until it finishes or an outage takes its capacity below `gpus`.",
  });

  out.push_back({
      .name = "policy",
      .title = "Policy",
      .summary = "Placement of demand on capacity.",
      .fields =
          {
              {.key = "placement",
               .type = Type::choice,
               .values = {"cheapest", "single_vendor", "primary"},
               .default_value = "cheapest",
               .meaning = "`cheapest`: lowest marginal cost per H100-equivalent hour first: reserved capacity (0), then usage "
                          "contracts and on-demand capacity by price, whichever is cheaper. "
                          "`single_vendor`: only `vendor`'s capacity is used. `primary`: each workload fills its "
                          "first eligible provider first, then the others in its `providers` order."},
              {.key = "vendor",
               .type = Type::id,
               .id_of = "provider",
               .need = Need::conditional,
               .only_with = OnlyWith{"placement", {"single_vendor"}},
               .meaning = "The one provider used by `single_vendor`."},
              {.key = "exclusivity",
               .type = Type::object,
               .ref = "exclusivity",
               .default_text = "none",
               .meaning = "Before `until`, only one provider's capacity may serve the buyer (docs/reference.md "
                          "§14)."},
              {.key = "rofr",
               .type = Type::object,
               .ref = "rofr",
               .default_text = "none",
               .meaning = "A right of first refusal over the buyer's deals with other providers (docs/reference.md "
                          "§14)."},
          },
  });

  out.push_back({
      .name = "exclusivity",
      .title = "Exclusivity",
      .level = 4,
      .summary = "Before `until`, no workload may use another provider's capacity, contracted or on demand.",
      .fields =
          {
              {.key = "provider",
               .type = Type::id,
               .id_of = "provider",
               .need = Need::required,
               .meaning = "The provider that holds the exclusivity."},
              date("until", "End of the exclusivity: from this instant every provider may serve the buyer."),
          },
      .notes = "Demand the provider cannot serve before `until` is unmet. A contract of another provider whose term "
               "starts before `until` is refused (at its `start`).",
  });

  out.push_back({
      .name = "rofr",
      .title = "Right of first refusal",
      .level = 4,
      .summary = "Contracts with other providers that start before `until` are offered to the holder, who matches a "
                 "share of each.",
      .fields =
          {
              {.key = "holder",
               .type = Type::id,
               .id_of = "provider",
               .need = Need::required,
               .meaning = "The provider that holds the right."},
              date("until", "The right covers contracts of other providers whose `start` is before this instant."),
              {.key = "region",
               .type = Type::id,
               .id_of = "region of the holder",
               .need = Need::required,
               .meaning = "The holder's region where matched capacity is placed (a region id of the holder)."},
              {.key = "match_pct",
               .unit = "%",
               .range = Range::closed(0, 100),
               .default_value = 0,
               .meaning = "The share of each offered contract the holder matches: that share of its clusters' "
                          "capacity curves, of `commitment_usd` and of `min_spend_usd_per_year` moves to the holder."},
              {.key = "match_probability",
               .range = Range::closed(0, 1),
               .default_text = "none: every path of `risk` applies `match_pct`",
               .meaning = "For `risk`: on each path each offered contract is matched in full with this probability "
                          "(else it stays whole), and the `rofr` block reports what the right is worth."},
          },
      .notes = "A matched share becomes contract `<contract id>@<holder>` with the same price, term, billing and SLA, "
               "on cluster `<cluster id>@<contract id>` of the same accelerator in the holder's `region`, subject to "
               "the holder's outages and on-demand prices (from the contract's `start` on, in its term and after it, "
               "when the holder sells it on demand); the rest stays with the original provider. Outages, "
               "delivery delays and price changes that name an offered contract or one of its clusters apply to "
               "both parts. The holder may not also hold an exclusivity of another provider, and the right must run "
               "past any exclusivity's `until`.",
  });

  out.push_back({
      .name = "event",
      .title = "Events",
      .summary = "A dated event: an outage, a price change, a delivery delay or a demand shock.",
      .intro = "Every event has `type`. The other fields depend on the type. An event may not lie entirely outside "
               "the horizon.",
      .variants = {"outage_event", "provider_price_change", "contract_price_change", "delivery_delay_event",
                   "demand_shock_event"},
  });

  out.push_back({
      .name = "outage_event",
      .title = "`outage`",
      .level = 4,
      .summary = "Clusters of the target lose capacity_lost_pct of their capacity in [start, end).",
      .fields =
          {
              constant("type", "outage", "Selects this table."),
              {.key = "target",
               .type = Type::place,
               .need = Need::required,
               .meaning = "Provider, region or cluster; every cluster under it is hit."},
              date("start", "Start of the outage."),
              date("end", "End, after `start`. The outage covers [start, end), exact to the second."),
              {.key = "capacity_lost_pct",
               .unit = "% of capacity",
               .range = Range::open_closed(0, 100),
               .default_value = 100,
               .meaning = "Share of each target cluster's capacity lost. Overlapping outages on one cluster count "
                          "once (the larger loss)."},
          },
  });

  const std::string price_change_date = "From this instant on; must be before `/end`.";
  out.push_back({
      .name = "provider_price_change",
      .title = "`price_change` of a provider",
      .level = 4,
      .summary = "A provider's on-demand price changes from date on.",
      .intro = "A `price_change` names either a provider (`target`, this table) or a contract (`contract`, the "
               "next), not both; it gives exactly one of a new price or a `factor`.",
      .fields =
          {
              constant("type", "price_change", "With `target`: this table."),
              date("date", price_change_date),
              {.key = "target",
               .type = Type::id,
               .id_of = "provider",
               .need = Need::required,
               .meaning = "Changes the provider's on-demand prices."},
              {.key = "accelerator",
               .type = Type::id,
               .id_of = "accelerator",
               .default_text = "all the provider's accelerators",
               .meaning = "Which on-demand price changes."},
              {.key = "on_demand_usd_per_gpu_hour",
               .unit = "USD per physical GPU-hour",
               .range = usd_per_gpu_hour,
               .need = Need::conditional,
               .meaning = "New on-demand price."},
              {.key = "factor",
               .unit = "×",
               .range = Range::open_closed(0, 1e3),
               .need = Need::conditional,
               .meaning = "Multiplies the current price."},
          },
      .exactly_one_of = {"on_demand_usd_per_gpu_hour", "factor"},
  });

  out.push_back({
      .name = "contract_price_change",
      .title = "`price_change` of a contract",
      .level = 4,
      .summary = "A contract's price changes from date on.",
      .fields =
          {
              constant("type", "price_change", "With `contract`: this table."),
              date("date", price_change_date),
              {.key = "contract",
               .type = Type::id,
               .id_of = "contract",
               .need = Need::required,
               .meaning = "Changes a contract's price."},
              {.key = "price_usd_per_gpu_hour",
               .unit = "USD per physical GPU-hour",
               .range = usd_per_gpu_hour,
               .need = Need::conditional,
               .meaning = "New contract price."},
              {.key = "factor",
               .unit = "×",
               .range = Range::open_closed(0, 1e3),
               .need = Need::conditional,
               .meaning = "Multiplies the current price."},
          },
      .exactly_one_of = {"price_usd_per_gpu_hour", "factor"},
  });

  out.push_back({
      .name = "delivery_delay_event",
      .title = "`delivery_delay`",
      .level = 4,
      .summary = "The target clusters' capacity curves shift later by days.",
      .fields =
          {
              constant("type", "delivery_delay", "Selects this table."),
              {.key = "target",
               .type = Type::place,
               .need = Need::required,
               .meaning = "Clusters whose capacity curves shift."},
              {.key = "days",
               .unit = "days",
               .range = Range::closed(0, limits::max_delay_days),
               .need = Need::required,
               .meaning = "Every curve point moves this much later. A constant capacity counts as one step point at "
                          "`start`."},
          },
  });

  out.push_back({
      .name = "demand_shock_event",
      .title = "`demand_shock`",
      .level = 4,
      .summary = "An inference workload's demand is multiplied by factor in [start, end).",
      .fields =
          {
              constant("type", "demand_shock", "Selects this table."),
              {.key = "workload",
               .type = Type::id,
               .id_of = "inference workload",
               .need = Need::required,
               .meaning = "An inference workload."},
              date("start", "Start of the shock."),
              date("end", "End, after `start`; the shock covers [start, end)."),
              {.key = "factor",
               .unit = "×",
               .range = Range::closed(0, 1e3),
               .need = Need::required,
               .meaning = "Multiplies the workload's demand."},
          },
  });

  out.push_back({
      .name = "uncertainty",
      .title = "Uncertainty",
      .summary = "Sampled futures for `cloudpact risk`.",
      .intro = "Used by `risk` only. The scenario's own `events` happen on every path as well as the sampled ones.",
      .fields =
          {
              {.key = "paths",
               .type = Type::integer,
               .unit = "paths",
               .range = Range::closed(1, static_cast<double>(limits::max_paths)),
               .default_value = 10000,
               .meaning = "Number of sampled futures (`--paths` overrides)."},
              {.key = "seed",
               .type = Type::integer,
               .range = Range::closed(0, static_cast<double>(limits::max_seed)),
               .default_value = 42,
               .meaning = "Random seed (`--seed` overrides)."},
              {.key = "outages",
               .type = Type::object,
               .container = Container::map,
               .ref = "outage_model",
               .map_keys = "`\"default\"` or provider id",
               .default_text = "no sampled outages",
               .meaning = "Sampled outages per region. `default` applies to every provider without its own entry."},
              {.key = "prices",
               .type = Type::object,
               .container = Container::map,
               .ref = "price_model",
               .map_keys = "provider id",
               .default_text = "prices fixed",
               .meaning = "A random multiplier on every on-demand price of the provider."},
              {.key = "demand",
               .type = Type::object,
               .ref = "demand_model",
               .default_text = "no demand noise",
               .meaning = "A random multiplier on every inference demand."},
              {.key = "delivery",
               .type = Type::object,
               .ref = "delivery_model",
               .default_text = "every delivery on time",
               .meaning = "Random delivery delays per cluster."},
              {.key = "correlation",
               .type = Type::object,
               .ref = "correlation",
               .default_text = "every provider's prices, every cluster's delivery and every region's outages independent",
               .meaning = "What the providers' futures share: co-moving prices, late deliveries together, outages that "
                          "hit several regions at once."},
          },
  });

  out.push_back({
      .name = "correlation",
      .title = "Correlation",
      .level = 4,
      .summary = "What sampled futures share across providers, clusters and regions.",
      .intro = "Diversification is worth what the providers do not share. Each part is optional; what it does not "
               "name stays independent (docs/reference.md §11).",
      .fields =
          {
              {.key = "prices",
               .type = Type::object,
               .ref = "price_correlation",
               .default_text = "independent price paths",
               .meaning = "Correlation of the listed providers' daily price shocks."},
              {.key = "delivery",
               .type = Type::object,
               .ref = "delivery_correlation",
               .default_text = "independent deliveries",
               .meaning = "A common factor in every cluster's lateness and delay size."},
              {.key = "zones",
               .type = Type::object,
               .container = Container::array,
               .ref = "outage_zone",
               .default_text = "no shared outages",
               .meaning = "Outage processes shared by several regions, of any providers."},
          },
  });

  out.push_back({
      .name = "price_correlation",
      .title = "Price correlation",
      .level = 5,
      .summary = "The correlation matrix of the listed providers' daily Gaussian price shocks.",
      .fields =
          {
              {.key = "providers",
               .type = Type::id,
               .container = Container::array,
               .id_of = "provider",
               .min_items = 1,
               .need = Need::required,
               .meaning = "The providers the matrix rows and columns stand for, each once."},
              {.key = "matrix",
               .type = Type::row,
               .container = Container::array,
               .range = Range::closed(-1, 1),
               .min_items = 1,
               .need = Need::required,
               .meaning = "Correlation of the daily Gaussian increments of the providers' log price multipliers."},
          },
      .notes = "The matrix is symmetric, has 1 on its diagonal, one row and one column per listed provider in the "
               "same order, and is positive semidefinite (a singular matrix is allowed: a correlation of 1 makes two "
               "providers' shocks the same). Each listed provider needs its own `uncertainty.prices` entry. Each "
               "provider's own price path keeps its distribution; jumps stay independent.",
  });

  out.push_back({
      .name = "delivery_correlation",
      .title = "Delivery correlation",
      .level = 5,
      .summary = "A one-factor Gaussian copula over the clusters of one path.",
      .fields =
          {
              {.key = "common",
               .unit = "correlation",
               .range = Range::closed(0, 1),
               .default_value = 0,
               .meaning = "ρ: the weight of the shared factor."},
          },
      .notes = "Cluster c is late when Φ(√ρ·Z + √(1−ρ)·Z_c) ≥ `p_on_time` (Z shared by a path's clusters, Z_c its "
               "own), so each cluster (of `delivery.targets`, when given) is still late with probability 1 − `p_on_time`; "
               "the lognormal delay size mixes "
               "a shared and an own normal the same way. ρ = 1: every such cluster late together (a supply shortage); "
               "ρ = 0: independent.",
  });

  out.push_back({
      .name = "outage_zone",
      .title = "Outage zone",
      .level = 5,
      .summary = "A shared outage process: each arrival hits every listed region at once.",
      .fields =
          {
              {.key = "id",
               .type = Type::id,
               .id_of = "zone",
               .need = Need::required,
               .meaning = "The zone's name (unique among zones)."},
              {.key = "regions",
               .type = Type::place,
               .container = Container::array,
               .min_items = 1,
               .need = Need::required,
               .meaning = "Regions `\"provider/region\"` of any providers, each once."},
              {.key = "rate_per_year",
               .unit = "outages per year",
               .range = Range::closed(0, 8766),
               .need = Need::required,
               .meaning = "Poisson arrival rate of the zone's outages."},
              {.key = "capacity_lost_pct",
               .unit = "% of capacity",
               .range = Range::open_closed(0, 100),
               .default_value = 100,
               .meaning = "Share of each listed region's capacity each outage takes."},
              {.key = "duration_hours",
               .type = Type::object,
               .ref = "distribution",
               .unit = "hours",
               .need = Need::required,
               .meaning = "Duration of each outage."},
          },
      .notes = "Arrivals are Poisson at `rate_per_year`; each hits every listed region at the same instant for the "
               "same sampled duration with its `capacity_lost_pct`, on top of those regions' own sampled outages "
               "(overlaps count once, the larger loss). A shared grid, metro area or supplier.",
  });

  out.push_back({
      .name = "outage_model",
      .title = "Outage model",
      .level = 4,
      .summary = "Sampled outages: Poisson arrivals per region.",
      .fields =
          {
              {.key = "rate_per_year",
               .unit = "outages per region per year",
               .range = Range::closed(0, 8766),
               .need = Need::required,
               .meaning = "Poisson arrival rate."},
              {.key = "capacity_lost_pct",
               .unit = "% of capacity",
               .range = Range::open_closed(0, 100),
               .default_value = 100,
               .meaning = "Share of the region's capacity each outage takes."},
              {.key = "duration_hours",
               .type = Type::object,
               .ref = "distribution",
               .unit = "hours",
               .need = Need::required,
               .meaning = "Duration of each outage."},
          },
  });

  out.push_back({
      .name = "price_model",
      .title = "Price model",
      .level = 4,
      .summary = "A multiplier on the provider's on-demand prices: GBM with lognormal jumps.",
      .fields =
          {
              {.key = "model",
               .type = Type::choice,
               .values = {"gbm"},
               .default_value = "gbm",
               .meaning = "Geometric Brownian motion from 1.0 at `start`, with optional lognormal jumps."},
              {.key = "drift_per_year",
               .unit = "per year",
               .range = Range::closed(-10, 10),
               .default_value = 0,
               .meaning = "GBM drift μ."},
              {.key = "vol_per_year",
               .unit = "per √year",
               .range = Range::closed(0, 10),
               .default_value = 0,
               .meaning = "GBM volatility σ."},
              {.key = "jump_rate_per_year",
               .unit = "jumps per year",
               .range = Range::closed(0, 365.25),
               .default_value = 0,
               .meaning = "Poisson rate of price jumps (e.g. announced cuts)."},
              {.key = "jump_mean_pct",
               .unit = "%",
               .range = Range::open_closed(-100, 1e3),
               .default_value = 0,
               .meaning = "Jump size: the median jump multiplies the price by 1 + this/100 (−40 = a 40% cut); the "
                          "jump's log is normal with sd jump_sd_pct/100, so its mean is above the median."},
              {.key = "jump_sd_pct",
               .unit = "%",
               .range = Range::closed(0, 1e3),
               .default_value = 0,
               .meaning = "Spread of jump sizes."},
          },
  });

  out.push_back({
      .name = "demand_model",
      .title = "Demand model",
      .level = 4,
      .summary = "A driftless lognormal walk on every inference demand.",
      .fields =
          {
              {.key = "vol_per_year",
               .unit = "per √year",
               .range = Range::closed(0, 10),
               .default_value = 0,
               .meaning = "Volatility of a driftless lognormal random walk multiplying every inference demand."},
          },
  });

  out.push_back({
      .name = "delivery_model",
      .title = "Delivery model",
      .level = 4,
      .summary = "Per cluster: on time with p_on_time, else delayed by a draw of delay_days.",
      .fields =
          {
              {.key = "p_on_time",
               .unit = "probability",
               .range = Range::closed(0, 1),
               .default_value = 1,
               .meaning = "Chance that a cluster's deliveries are on time."},
              {.key = "delay_days",
               .type = Type::object,
               .ref = "distribution",
               .unit = "days",
               .need = Need::conditional,
               .when = "when `p_on_time` < 1",
               .meaning = "Otherwise the cluster's capacity curve shifts by a delay drawn from this."},
              {.key = "targets",
               .type = Type::place,
               .container = Container::array,
               .min_items = 1,
               .default_text = "every cluster",
               .meaning = "Providers, regions or clusters whose deliveries may be late, each once; every other cluster "
                          "is always on time (capacity already delivered, such as a fleet running before `start`)."},
          },
  });

  out.push_back({
      .name = "distribution",
      .title = "Distributions",
      .level = 4,
      .summary = "A distribution: fixed or lognormal, told apart by dist.",
      .intro = "Every distribution has `dist`; its value is in the unit of the quantity it draws (`duration_hours`: "
               "hours, `delay_days`: days).",
      .variants = {"fixed_distribution", "lognormal_distribution"},
  });

  out.push_back({
      .name = "fixed_distribution",
      .title = "Distribution: `fixed`",
      .level = 5,
      .summary = "Always the same value.",
      .fields =
          {
              constant("dist", "fixed", "Selects this table."),
              {.key = "value",
               .unit = "the quantity's unit",
               .range = Range::closed(0, 1e6),
               .need = Need::required,
               .meaning = "The fixed value."},
          },
  });

  out.push_back({
      .name = "lognormal_distribution",
      .title = "Distribution: `lognormal`",
      .level = 5,
      .summary = "Lognormal by its median.",
      .fields =
          {
              constant("dist", "lognormal", "Selects this table."),
              {.key = "median",
               .unit = "the quantity's unit",
               .range = Range::open_closed(0, 1e6),
               .need = Need::required,
               .meaning = "Median e^μ."},
              {.key = "sigma",
               .unit = "log units",
               .range = Range::closed(0, 10),
               .need = Need::required,
               .meaning = "σ of the underlying normal (0.8 puts ~68% of draws between median/2.2 and median×2.2)."},
          },
  });

  out.push_back({
      .name = "negotiation",
      .title = "Negotiation",
      .summary = "Nash bargaining inputs.",
      .fields =
          {
              {.key = "buyer_power",
               .range = Range::closed(0, 1),
               .default_value = 0.5,
               .meaning = "β of generalised Nash bargaining: 0 = the seller takes all the surplus, 1 = the buyer "
                          "does."},
              {.key = "seller_floor_usd_per_gpu_hour",
               .container = Container::map,
               .map_keys = "provider id",
               .unit = "USD per H100-eq hour",
               .range = usd_per_gpu_hour,
               .default_value = Json::object(),
               .meaning = "The seller's reservation price r (its cost). The Nash price `(1 − β)·BATNA + β·r` is "
                          "reported only where r ≤ BATNA."},
          },
  });

  out.push_back({
      .name = "finance",
      .title = "Finance",
      .summary = "Present values (docs/reference.md §13).",
      .fields =
          {
              {.key = "discount_rate_per_year",
               .unit = "per year",
               .range = Range::closed(0, 1),
               .default_value = 0,
               .meaning = "r: an amount due at t is worth `amount × (1 + r)^(−(t − start)/365.25 d)` at `start`, "
                          "t its ledger time to the second (invoices at month end or at the contract's end, "
                          "shortfalls and credits when they close, egress when the data moves); unmet demand is "
                          "valued per calendar month at the month's end. 0: every present value equals its "
                          "nominal figure. Negative rates are refused: a present value above its nominal figure "
                          "would leave the bounds `risk` sizes its sums by."},
          },
  });

  out.push_back({
      .name = "output",
      .title = "Output",
      .summary = "Replay outputs.",
      .fields =
          {
              {.key = "interval_hours",
               .unit = "hours",
               .range = Range::closed(1e-3, limits::max_duration_hours),
               .default_value = 24,
               .meaning = "Row interval of `timeseries.csv` (interval averages and sums). Totals are exact whatever "
                          "the interval."},
          },
  });

  return out;
}

std::vector<ObjectSpec> sweep_objects() {
  std::vector<ObjectSpec> out;
  const OnlyWith sampled{"mode", {"lhs", "random"}};

  out.push_back({
      .name = "sweep",
      .title = "Sweep files",
      .level = 2,
      .summary = "A cloudpact sweep: a base scenario and the values to vary.",
      .intro = "A sweep file (`cloudpact sweep`, docs/reference.md §7) names a base scenario and the values to vary. "
               "`cloudpact validate` checks it like a scenario: every key, type and range below, the base as a "
               "scenario, and each parameter's pointer against the base (settable as by `--set`: missing objects are "
               "created, array elements must exist). The top "
               "level of a sweep file:",
      .fields =
          {
              {.key = "base",
               .type = Type::file_path,
               .need = Need::required,
               .meaning = "The scenario to vary; relative to the sweep file's folder, else to the current "
                          "directory."},
              {.key = "mode",
               .type = Type::choice,
               .values = {"grid", "lhs", "random"},
               .need = Need::required,
               .meaning = "`grid`: the cartesian product of every parameter's `values`. `lhs`: a Latin hypercube, "
                          "`random`: independent uniform points, over each parameter's `min`..`max`."},
              {.key = "parameters",
               .type = Type::object,
               .container = Container::array,
               .ref = "sweep_parameter",
               .min_items = 1,
               .need = Need::required,
               .meaning = "What to vary, each pointer once."},
              {.key = "samples",
               .type = Type::integer,
               .range = Range::closed(1, static_cast<double>(limits::max_sweep_variants)),
               .need = Need::conditional,
               .only_with = sampled,
               .meaning = "Number of points."},
              {.key = "seed",
               .type = Type::integer,
               .range = Range::closed(0, static_cast<double>(limits::max_seed)),
               .only_with = sampled,
               .default_value = 1,
               .meaning = "Philox key of the design, so the design depends only on the file."},
              {.key = "run",
               .type = Type::choice,
               .container = Container::array,
               .values = {"run", "risk"},
               .min_items = 1,
               .default_value = Json::array({"run"}),
               .meaning = "What each variant runs, each step once."},
              {.key = "risk_paths",
               .type = Type::integer,
               .unit = "paths",
               .range = Range::closed(1, static_cast<double>(limits::max_paths)),
               .default_value = 2000,
               .meaning = "Monte Carlo paths of each variant (CPU backend, one thread per variant)."},
              {.key = "risk_seed",
               .type = Type::integer,
               .range = Range::closed(0, static_cast<double>(limits::max_seed)),
               .default_text = "the scenario's `uncertainty.seed`",
               .meaning = "Monte Carlo seed of each variant."},
              {.key = "metrics",
               .type = Type::text,
               .container = Container::array,
               .default_text = "the headline totals (and the contracted portfolio's risk)",
               .meaning = "The columns of `sweep.csv`: dotted paths into each variant's `summary.json` / "
                          "`risk.json`, e.g. `totals.spend_usd`, `portfolios.contracted.cost_usd.cvar95`; each once."},
              {.key = "name",
               .type = Type::id,
               .default_text = "the file's stem (`sweep` if that is not an id)",
               .meaning = "Default output folder `out/<name>/`; the Slurm job name."},
          },
  });

  out.push_back({
      .name = "sweep_parameter",
      .title = "Sweep parameters",
      .summary = "A parameter of a sweep: its keys depend on the sweep's mode.",
      .intro = "The keys of a parameter depend on the sweep's `mode`.",
      .variants = {"grid_parameter", "sampled_parameter"},
  });

  const Field pointer{.key = "pointer",
                      .type = Type::pointer,
                      .need = Need::required,
                      .meaning = "What to set in the base scenario (as `--set` would)."};
  out.push_back({
      .name = "grid_parameter",
      .title = "Grid parameter",
      .level = 4,
      .summary = "A parameter of a grid sweep.",
      .intro = "With `mode` `\"grid\"`:",
      .fields =
          {
              pointer,
              {.key = "values",
               .type = Type::any,
               .container = Container::array,
               .min_items = 1,
               .need = Need::required,
               .meaning = "The values, any JSON (numbers, strings, objects), each once."},
          },
  });

  out.push_back({
      .name = "sampled_parameter",
      .title = "Sampled parameter",
      .level = 4,
      .summary = "A parameter of a Latin hypercube or random sweep.",
      .intro = "With `mode` `\"lhs\"` or `\"random\"`:",
      .fields =
          {
              pointer,
              {.key = "min", .range = sweep_value, .need = Need::required, .meaning = "Lowest value sampled."},
              {.key = "max",
               .range = sweep_value,
               .need = Need::required,
               .meaning = "Highest value sampled; at least `min`."},
              {.key = "integer",
               .type = Type::boolean,
               .default_value = false,
               .meaning = "Rounds the sampled values to whole numbers."},
          },
  });
  return out;
}

// Optimize files (docs/reference.md §15), validated like sweep files.
std::vector<ObjectSpec> optimize_objects() {
  std::vector<ObjectSpec> out;
  out.push_back({
      .name = "optimize",
      .title = "Optimize files",
      .level = 2,
      .summary = "A cloudpact optimize file: a base scenario, the numbers to choose and what to minimise.",
      .intro = "An optimize file (`cloudpact optimize`, docs/reference.md §15) names a base scenario, the numbers "
               "of it to choose (each within bounds), what to minimise and the limits to respect, all of the "
               "`contracted` portfolio's Monte Carlo figures on the same sampled futures. `cloudpact validate` "
               "checks it: every key, type and range below, the base as a scenario, each variable's pointer "
               "against the base (a number must be there) and the base with each variable at its `min` and at "
               "its `max`. The top level of an optimize file:",
      .fields =
          {
              {.key = "base",
               .type = Type::file_path,
               .need = Need::required,
               .meaning = "The scenario to optimise; relative to the optimize file's folder, else to the current "
                          "directory."},
              {.key = "variables",
               .type = Type::object,
               .container = Container::array,
               .ref = "optimize_variable",
               .min_items = 1,
               .need = Need::required,
               .meaning = "The numbers to choose, each pointer once; at most 16."},
              {.key = "objective",
               .type = Type::any,
               .need = Need::required,
               .meaning = "What to minimise, of the `contracted` portfolio: `\"cost_usd.mean\"`, "
                          "`\"cost_usd.cvar95\"`, `\"npv_cost_usd.mean\"`, `\"npv_cost_usd.cvar95\"`, or "
                          "`{\"mean_plus_cvar95\": λ}` (mean + λ·CVaR95 of cost, λ ≥ 0)."},
              {.key = "constraints",
               .type = Type::object,
               .container = Container::array,
               .ref = "optimize_constraint",
               .default_value = Json::array(),
               .meaning = "Upper bounds on the `contracted` portfolio's metrics, each metric once."},
              {.key = "paths",
               .type = Type::integer,
               .unit = "paths",
               .range = Range::closed(1, static_cast<double>(limits::max_paths)),
               .default_value = 4000,
               .meaning = "Sampled futures of every evaluation (the same ones: common random numbers)."},
              {.key = "seed",
               .type = Type::integer,
               .range = Range::closed(0, static_cast<double>(limits::max_seed)),
               .default_text = "the scenario's `uncertainty.seed`",
               .meaning = "Monte Carlo seed of every evaluation; the out-of-sample check uses `seed` + 1."},
              {.key = "max_evaluations",
               .type = Type::integer,
               .unit = "evaluations",
               .range = Range::closed(2, static_cast<double>(limits::max_optimize_evaluations)),
               .default_value = 200,
               .meaning = "Monte Carlo evaluations of the search (global stage, then local polish); repeated "
                          "points are read from the cache and not counted."},
              {.key = "frontier",
               .type = Type::number,
               .container = Container::array,
               .range = Range::closed(0, 1e6),
               .default_text = "no frontier",
               .meaning = "Values of λ: one optimum of mean + λ·CVaR95 of cost each, under the same constraints "
                          "(the mean–CVaR efficient frontier, `frontier.csv`); each once, at most 64."},
              {.key = "frontier_evaluations",
               .type = Type::integer,
               .unit = "evaluations",
               .range = Range::closed(1, static_cast<double>(limits::max_optimize_evaluations)),
               .default_text = "`max_evaluations` / 4, at least 10",
               .meaning = "New evaluations of each frontier point's local search, which starts from the best "
                          "point for its λ among all evaluated so far."},
              {.key = "name",
               .type = Type::id,
               .default_text = "the file's stem (`optimize` if that is not an id)",
               .meaning = "Default output folder `out/<name>/`."},
          },
  });
  out.push_back({
      .name = "optimize_variable",
      .title = "Optimize variables",
      .level = 4,
      .summary = "A number of the base scenario to choose, within bounds.",
      .fields =
          {
              {.key = "pointer",
               .type = Type::pointer,
               .need = Need::required,
               .meaning = "A number of the base scenario (as `--set` would set it)."},
              {.key = "min", .range = sweep_value, .need = Need::required, .meaning = "Lowest value tried."},
              {.key = "max",
               .range = sweep_value,
               .need = Need::required,
               .meaning = "Highest value tried; above `min`."},
              {.key = "integer",
               .type = Type::boolean,
               .default_value = false,
               .meaning = "Whole numbers only: every point tried is rounded to the nearest."},
          },
  });
  out.push_back({
      .name = "optimize_constraint",
      .title = "Optimize constraints",
      .level = 4,
      .summary = "An upper bound on a metric of the contracted portfolio.",
      .fields =
          {
              {.key = "metric",
               .type = Type::choice,
               .values = {"p_unmet", "unmet_gpu_hours.mean", "cost_usd.mean", "cost_usd.cvar95",
                          "npv_cost_usd.mean", "npv_cost_usd.cvar95", "hhi_spend.mean"},
               .need = Need::required,
               .meaning = "The metric, as named in risk.json's `contracted` portfolio (`hhi_spend.mean`: the "
                          "top-level HHI)."},
              {.key = "max",
               .range = sweep_value,
               .need = Need::required,
               .meaning = "The largest value allowed (in the metric's unit)."},
          },
  });
  return out;
}

std::vector<ObjectSpec> build_table() {
  std::vector<ObjectSpec> table = scenario_objects();
  for (ObjectSpec& spec : sweep_objects()) table.push_back(std::move(spec));
  for (ObjectSpec& spec : optimize_objects()) table.push_back(std::move(spec));
  return table;
}

}  // namespace

static_assert(limits::max_id_length == 100, "the id type's description says 100 characters");

Range curve_value_range() { return Range::closed(0, limits::max_demand_gpus); }

const StringType& string_type(Type type) {
  static const StringType id{"id", "^[A-Za-z0-9][A-Za-z0-9._-]*$",
                             "Ids become file and folder names: letters, digits, '.', '_', '-', starting with a "
                             "letter or digit; at most 100 characters."};
  static const StringType date{"date", "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?$",
                               "UTC: \"2025-11-03\" (midnight) or \"2025-10-20T06:48:00Z\"."};
  static const StringType place{"path", "^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*){0,2}$",
                                "A place by path: \"provider\", \"provider/region\" or \"provider/region/cluster\"."};
  static const StringType cluster_path{"cluster path", "^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*){2}$",
                                       "A cluster by path: \"provider/region/cluster\"."};
  switch (type) {
    case Type::id:
      return id;
    case Type::date:
      return date;
    case Type::place:
      return place;
    case Type::cluster_path:
      return cluster_path;
    default:
      throw std::logic_error("not a string type with a pattern");
  }
}

std::string condition_text(const ObjectSpec& spec, const Field& field) {
  const auto quoted = [](const std::vector<std::string>& values) {
    std::string out;
    for (const std::string& v : values) out += (out.empty() ? "" : ", ") + ("`\"" + v + "\"`");
    return out;
  };
  if (field.only_with) {
    const std::string with = "with `" + field.only_with->key + "` " + quoted(field.only_with->values);
    return (field.need == Need::conditional ? "required " : "only ") + with + ", not allowed otherwise";
  }
  if (std::find(spec.exactly_one_of.begin(), spec.exactly_one_of.end(), field.key) != spec.exactly_one_of.end()) {
    std::string out = "exactly one of ";
    for (const std::string& key : spec.exactly_one_of)
      out += (key == spec.exactly_one_of.front() ? "`" : ", `") + key + "`";
    return out;
  }
  return field.need == Need::conditional ? "required " + field.when : std::string{};
}

const Field& ObjectSpec::field(std::string_view key) const {
  for (const Field& f : fields)
    if (f.key == key) return f;
  throw std::logic_error("the format table has no field " + std::string(key) + " in " + name);
}

const std::vector<ObjectSpec>& objects() {
  static const std::vector<ObjectSpec> table = build_table();
  return table;
}

const ObjectSpec& object(std::string_view name) {
  for (const ObjectSpec& spec : objects())
    if (spec.name == name) return spec;
  throw std::logic_error("the format table has no object " + std::string(name));
}

namespace {
std::vector<std::string> collect_keys(const ObjectSpec& spec) {
  std::vector<std::string> out;
  for (const Field& f : spec.fields) out.push_back(f.key);
  for (const std::string& name : spec.variants)
    for (const std::string& key : collect_keys(object(name)))
      if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(key);
  return out;
}
}  // namespace

const std::vector<std::string>& keys(const ObjectSpec& spec) {
  // Every object's keys, collected once with the table (which never
  // changes): a reader asks for them at every object it reads, a hundred
  // thousand times in a large scenario.
  static const std::map<const ObjectSpec*, std::vector<std::string>> all = [] {
    std::map<const ObjectSpec*, std::vector<std::string>> m;
    for (const ObjectSpec& o : objects()) m.emplace(&o, collect_keys(o));
    return m;
  }();
  const auto it = all.find(&spec);
  if (it == all.end()) throw std::logic_error("keys: " + spec.name + " is not an object of the format table");
  return it->second;
}

const ObjectSpec* variant(const ObjectSpec& spec, std::string_view key, std::string_view value) {
  for (const std::string& name : spec.variants) {
    const ObjectSpec& v = object(name);
    for (const Field& f : v.fields)
      if (f.key == key && f.values.size() == 1 && f.values.front() == value) return &v;
  }
  return nullptr;
}

std::vector<std::string> constants(const ObjectSpec& spec, std::string_view key) {
  std::vector<std::string> out;
  for (const std::string& name : spec.variants)
    for (const Field& f : object(name).fields)
      if (f.key == key)
        for (const std::string& value : f.values)
          if (std::find(out.begin(), out.end(), value) == out.end()) out.push_back(value);
  return out;
}

}  // namespace cloudpact::scenario_format
