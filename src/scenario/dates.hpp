// UTC dates as the scenario format writes them: "2025-11-03" (midnight) or
// "2025-10-20T06:48:00Z". Pure calendar arithmetic, no time zones, no libc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cloudpact {

// Epoch seconds of a date string, or nullopt if it is not one of the two forms
// or names an impossible date (2025-02-30, 24:00:00).
std::optional<std::int64_t> parse_utc_date(const std::string& text);

// Why a text of one of the two forms names no instant, as an input error's
// problem and expectation: the month, the day of that month or the time of
// day that does not exist ("February 2025 has 28 days"). Empty when the
// text is not of either form (then only the forms can be named) or is a
// date.
struct DateProblem {
  std::string problem;   // e.g. no such day "2025-02-30"
  std::string expected;  // e.g. a day from 01 to 28: February 2025 has 28 days
};
DateProblem date_problem(const std::string& text);

// "2025-10-20T06:48:00Z" (always the long form, always UTC).
std::string format_utc(std::int64_t epoch_s);

// Epoch second of midnight on the first day of the month after the one holding
// epoch_s (calendar month boundaries drive SLA credits and monthly invoices).
std::int64_t next_month_start(std::int64_t epoch_s);

// Every month start strictly inside (start, end), in order: where monthly
// invoices and SLA months close (docs/reference.md §2.3).
std::vector<std::int64_t> month_starts_inside(std::int64_t start_epoch_s, std::int64_t end_epoch_s);

// The same calendar date `years` later (Feb 29 -> Feb 28 in a common year):
// contract-year anniversaries for take-or-pay.
std::int64_t add_years(std::int64_t epoch_s, int years);

}  // namespace cloudpact
