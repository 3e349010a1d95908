// Civil-calendar arithmetic on the proleptic Gregorian calendar, after Howard
// Hinnant's days_from_civil / civil_from_days. No libc time functions: timegm
// and gmtime depend on the platform's time_t range and TZ handling, and the
// scenario format is UTC only.
#include "scenario/dates.hpp"

#include <array>
#include <cstdio>

namespace cloudpact {
namespace {

constexpr std::int64_t seconds_per_day = 86400;

struct CivilDate {
  std::int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

constexpr bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr int days_in_month(std::int64_t y, int m) {
  constexpr std::array<int, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[static_cast<std::size_t>(m - 1)];
}

// Days since 1970-01-01 of a valid civil date.
constexpr std::int64_t days_from_civil(CivilDate c) {
  const std::int64_t y = c.year - (c.month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;                           // [0, 399]
  const std::int64_t mp = c.month > 2 ? c.month - 3 : c.month + 9;  // March = 0
  const std::int64_t doy = (153 * mp + 2) / 5 + c.day - 1;          // [0, 365]
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;   // [0, 146096]
  return era * 146097 + doe - 719468;
}

constexpr CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

static_assert(days_from_civil({1970, 1, 1}) == 0);
static_assert(days_from_civil({2000, 3, 1}) == 11017);
static_assert(civil_from_days(11017).month == 3);

// Floor division, so instants before 1970 land in the right day.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}

// Reads exactly `width` ASCII digits at text[pos].
bool digits(const std::string& text, std::size_t pos, std::size_t width, int& out) {
  if (pos + width > text.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    const char ch = text[i];
    if (ch < '0' || ch > '9') return false;
    v = v * 10 + (ch - '0');
  }
  out = v;
  return true;
}

// The fields of a text of one of the two forms, not yet checked against the
// calendar; nullopt when it is of neither form.
struct DateFields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

std::optional<DateFields> date_fields(const std::string& text) {
  // "YYYY-MM-DD" (10 characters) or "YYYY-MM-DDTHH:MM:SSZ" (20 characters);
  // nothing else: no offsets, no fractions, no lowercase t/z.
  if (text.size() != 10 && text.size() != 20) return std::nullopt;
  DateFields f;
  if (!digits(text, 0, 4, f.year) || text[4] != '-' || !digits(text, 5, 2, f.month) || text[7] != '-' ||
      !digits(text, 8, 2, f.day))
    return std::nullopt;
  if (text.size() == 20 &&
      (text[10] != 'T' || !digits(text, 11, 2, f.hour) || text[13] != ':' || !digits(text, 14, 2, f.minute) ||
       text[16] != ':' || !digits(text, 17, 2, f.second) || text[19] != 'Z'))
    return std::nullopt;
  return f;
}

constexpr std::array<const char*, 12> month_names{"January", "February", "March",     "April",   "May",      "June",
                                                  "July",    "August",   "September", "October", "November", "December"};

// What of `f` (read from `text`) does not exist; empty when it is a date.
DateProblem problem_of(const DateFields& f, const std::string& text) {
  // Text only for a date that does not exist: a valid one (most, and the
  // stress scenario parses 200,000) allocates nothing here.
  const auto quoted = [&] { return "\"" + text + "\""; };
  if (f.month < 1 || f.month > 12) return {"no such month " + quoted(), "a month from 01 to 12"};
  const int last = days_in_month(f.year, f.month);
  if (f.day < 1 || f.day > last) {
    const std::string days = std::to_string(last);
    return {"no such day " + quoted(), "a day from 01 to " + days + ": " +
                                         month_names[static_cast<std::size_t>(f.month - 1)] + " " + text.substr(0, 4) +
                                         " has " + days + " days"};
  }
  // No 24:00:00 and no leap seconds: UTC here is POSIX time.
  if (f.hour > 23 || f.minute > 59 || f.second > 59)
    return {"no such time of day " + quoted(), "hours from 00 to 23, minutes and seconds from 00 to 59"};
  return {};
}

}  // namespace

DateProblem date_problem(const std::string& text) {
  const auto f = date_fields(text);
  return f ? problem_of(*f, text) : DateProblem{};
}

std::optional<std::int64_t> parse_utc_date(const std::string& text) {
  const auto f = date_fields(text);
  if (!f || !problem_of(*f, text).problem.empty()) return std::nullopt;
  return days_from_civil({f->year, f->month, f->day}) * seconds_per_day + f->hour * 3600 + f->minute * 60 + f->second;
}

std::string format_utc(std::int64_t epoch_s) {
  const std::int64_t days = floor_div(epoch_s, seconds_per_day);
  const std::int64_t sod = epoch_s - days * seconds_per_day;
  const CivilDate c = civil_from_days(days);
  const int hour = static_cast<int>(sod / 3600), minute = static_cast<int>(sod / 60 % 60),
            second = static_cast<int>(sod % 60);
  if (c.year >= 0 && c.year <= 9999) {
    // The same text as the snprintf below, digit by digit: a replay writes
    // two dates per training job and one per event (300,000 in the stress
    // scenario), and snprintf's format parsing was most of their cost.
    char buf[20] = {'0', '0', '0', '0', '-', '0', '0', '-', '0', '0', 'T', '0', '0', ':', '0', '0', ':', '0', '0', 'Z'};
    const auto put2 = [&](int at, int v) {
      buf[at] = static_cast<char>('0' + v / 10);
      buf[at + 1] = static_cast<char>('0' + v % 10);
    };
    const int year = static_cast<int>(c.year);
    put2(0, year / 100);
    put2(2, year % 100);
    put2(5, c.month);
    put2(8, c.day);
    put2(11, hour);
    put2(14, minute);
    put2(17, second);
    return std::string(buf, sizeof buf);
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02dZ", static_cast<long long>(c.year), c.month, c.day, hour,
                minute, second);
  return buf;
}

std::int64_t next_month_start(std::int64_t epoch_s) {
  const CivilDate c = civil_from_days(floor_div(epoch_s, seconds_per_day));
  const CivilDate next = c.month == 12 ? CivilDate{c.year + 1, 1, 1} : CivilDate{c.year, c.month + 1, 1};
  return days_from_civil(next) * seconds_per_day;
}

std::vector<std::int64_t> month_starts_inside(std::int64_t start_epoch_s, std::int64_t end_epoch_s) {
  std::vector<std::int64_t> out;
  for (std::int64_t m = next_month_start(start_epoch_s); m < end_epoch_s; m = next_month_start(m)) out.push_back(m);
  return out;
}

std::int64_t add_years(std::int64_t epoch_s, int years) {
  const std::int64_t days = floor_div(epoch_s, seconds_per_day);
  const std::int64_t sod = epoch_s - days * seconds_per_day;
  CivilDate c = civil_from_days(days);
  c.year += years;
  if (c.month == 2 && c.day == 29 && !is_leap(c.year)) c.day = 28;
  return days_from_civil(c) * seconds_per_day + sod;
}

}  // namespace cloudpact
