#include <charconv>
#include "format/json.hpp"

#include <cmath>
#include <cstdio>

namespace nessmap {

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  // The shortest text that reads back as the same double (0.05, not 0.050000000000000003).
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  return std::string(buf, end);
}

std::string json_string(const std::string &s) {
  std::string out = "\"";
  for (char ch : s) {
    switch (ch) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    default:
      if (static_cast<unsigned char>(ch) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", ch);
        out += buf;
      } else {
        out += ch;
      }
    }
  }
  return out + "\"";
}

void JsonObject::key(const std::string &k) {
  if (!body_.empty()) body_ += ", ";
  body_ += json_string(k) + ": ";
}

JsonObject &JsonObject::add(const std::string &k, double v) { key(k); body_ += json_number(v); return *this; }
JsonObject &JsonObject::add(const std::string &k, std::optional<double> v) {
  key(k);
  body_ += v ? json_number(*v) : "null";
  return *this;
}
JsonObject &JsonObject::add(const std::string &k, long long v) { key(k); body_ += std::to_string(v); return *this; }
JsonObject &JsonObject::add(const std::string &k, const std::string &v) { key(k); body_ += json_string(v); return *this; }
JsonObject &JsonObject::add(const std::string &k, const std::vector<double> &v) {
  key(k);
  body_ += "[";
  for (std::size_t i = 0; i < v.size(); ++i) body_ += (i ? ", " : "") + json_number(v[i]);
  body_ += "]";
  return *this;
}
JsonObject &JsonObject::add(const std::string &k, const std::vector<std::vector<double>> &v) {
  key(k);
  body_ += "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    body_ += i ? ", [" : "[";
    for (std::size_t j = 0; j < v[i].size(); ++j) body_ += (j ? ", " : "") + json_number(v[i][j]);
    body_ += "]";
  }
  body_ += "]";
  return *this;
}
JsonObject &JsonObject::add(const std::string &k, const JsonObject &v) { key(k); body_ += v.str(); return *this; }
JsonObject &JsonObject::add_null(const std::string &k) { key(k); body_ += "null"; return *this; }

} // namespace nessmap
