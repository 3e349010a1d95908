// JSON text of the outputs (report/json_text.hpp): strings escaped as
// RFC 8259 requires and nothing more, numbers in their shortest round-trip
// form. Expected texts are written out by hand.
#include <doctest/doctest.h>

#include <string>

#include "report/json_text.hpp"

using cloudpact::append_json_string;
using cloudpact::json_number;
using cloudpact::json_string;

TEST_CASE("json_string: plain text is quoted as it is, UTF-8 bytes included") {
  CHECK(json_string("") == "\"\"");
  CHECK(json_string("aws/us-east-1/a") == "\"aws/us-east-1/a\"");
  CHECK(json_string("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
}

TEST_CASE("json_string: quotes, backslashes and control characters are escaped wherever they fall") {
  CHECK(json_string("\"") == R"("\"")");
  CHECK(json_string("a\"b\\c") == R"("a\"b\\c")");
  CHECK(json_string("\\end") == R"("\\end")");
  CHECK(json_string("line\nnext\r\ttab") == R"("line\nnext\r\ttab")");
  // The other controls as \u00XX, lowercase hex; 0x20 and up as they are.
  CHECK(json_string(std::string("\x01x\x1f y\b", 6)) == R"("\u0001x\u001f y\u0008")");
  CHECK(json_string(std::string("\0", 1)) == R"("\u0000")");
}

TEST_CASE("append_json_string appends to what is there") {
  std::string out = "{\"k\":";
  append_json_string(out, "v\"1");
  CHECK(out == R"({"k":"v\"1")");
}

TEST_CASE("json_number: shortest round trip, no negative zero, null for non-finite") {
  CHECK(json_number(0.1) == "0.1");
  CHECK(json_number(-0.0) == "0");
  CHECK(json_number(1e21) == "1e+21");
  CHECK(json_number(123456.5) == "123456.5");
  CHECK(json_number(1.0 / 0.0) == "null");
}
