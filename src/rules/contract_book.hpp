// One contract's running account (docs/reference.md §2.3): what the month
// has billed and delivered (for its invoice and SLA credit), what the
// current take-or-pay period has billed, what counts toward the commitment;
// and the order in which its bills close. The replay's accountant keeps one
// per contract, and so does each portfolio of each Monte Carlo path: the
// same code, so the two engines close the same bills.
#pragma once

#include "rules/billing.hpp"
#include "rules/hd.hpp"
#include "rules/sla.hpp"

namespace cloudpact::rules {

// The terms closing needs (plain pointers: host or device memory).
struct ContractTerms {
  const SlaTier* tiers = nullptr;
  int n_tiers = 0;
  bool has_commitment = false;
  double commitment_usd = 0.0;  // minimum total billed over the term
};

// What closing a contract's bills produced at one instant.
enum class Closing : int { invoice, sla_credit, period_shortfall, commitment_shortfall };

struct ContractBook {
  double month_billed_usd = 0.0;
  double month_delivered_gpu_s = 0.0, month_outage_gpu_s = 0.0;  // H100-eq GPU-seconds
  double period_billed_usd = 0.0;  // in the current take-or-pay period
  double paid_usd = 0.0;           // toward the commitment: charges and shortfalls (credits do not reduce it)
  bool closed = false;             // the term has ended

  // A charge of the contract (reserved or usage).
  CP_HD void bill(double usd) {
    month_billed_usd += usd;
    period_billed_usd += usd;
    paid_usd += usd;
  }

  // Capacity the reserved clusters delivered, and the share outages took:
  // the month's availability.
  CP_HD void deliver(double delivered_gpu_s, double lost_fraction) {
    month_delivered_gpu_s += delivered_gpu_s;
    month_outage_gpu_s += delivered_gpu_s * lost_fraction;
  }

  // What the commitment still asks at the horizon for a term that has not
  // ended (0 once it has: its shortfall was billed).
  [[nodiscard]] CP_HD double commitment_remaining_usd(const ContractTerms& t) const {
    return closed || !t.has_commitment ? 0.0 : shortfall_usd(t.commitment_usd, paid_usd);
  }
};

// A contract's book at the start of the simulation. A term that ended at or
// before the start is closed already: its last invoice and its commitment's
// shortfall fell due before the simulation, which knows nothing of what was
// billed then, so neither is billed nor reported as remaining.
CP_HD inline ContractBook opening_book(bool term_ended_before_start) {
  ContractBook b;
  b.closed = term_ended_before_start;
  return b;
}

// Closes what is due for one contract at one instant, in this order:
//   1. the month's invoice (at a month end, or at the end of the term for its
//      last, partial month: `invoice`, what the month billed, already counted
//      by bill()) and its SLA credit, a share of that invoice;
//   2. every take-or-pay period ending now: its shortfall is billed and
//      counts toward the commitment (`next_period_minimum(min)` yields each
//      such period's minimum and returns false when none is left);
//   3. the term, when it ends now: the commitment's shortfall.
// `emit(Closing, usd, availability_pct)` receives each non-zero amount
// (credits as positive amounts) and every month's availability with a
// credit; it does not receive zeros.
template <class NextPeriodMinimum, class Emit>
CP_HD void close_contract(ContractBook& b, const ContractTerms& t, bool month_ends, bool term_ends,
                          NextPeriodMinimum next_period_minimum, Emit emit) {
  if (month_ends || (term_ends && !b.closed)) {
    if (b.month_billed_usd != 0.0) emit(Closing::invoice, b.month_billed_usd, 100.0);
    if (t.n_tiers > 0 && b.month_delivered_gpu_s > 0.0) {
      const double avail = availability_pct(b.month_outage_gpu_s, b.month_delivered_gpu_s);
      const double credit = sla_credit_pct(t.tiers, t.n_tiers, avail) / 100.0 * b.month_billed_usd;
      if (credit > 0.0) emit(Closing::sla_credit, credit, avail);
    }
    b.month_billed_usd = b.month_delivered_gpu_s = b.month_outage_gpu_s = 0.0;
  }
  double minimum_usd = 0.0;
  while (next_period_minimum(minimum_usd)) {
    const double owed = shortfall_usd(minimum_usd, b.period_billed_usd);
    b.period_billed_usd = 0.0;
    if (owed > 0.0) {
      b.paid_usd += owed;
      emit(Closing::period_shortfall, owed, 100.0);
    }
  }
  if (term_ends && !b.closed) {
    b.closed = true;
    const double owed = t.has_commitment ? shortfall_usd(t.commitment_usd, b.paid_usd) : 0.0;
    if (owed > 0.0) {
      b.paid_usd += owed;
      emit(Closing::commitment_shortfall, owed, 100.0);
    }
  }
}

}  // namespace cloudpact::rules
