#pragma once
// A small ordered JSON writer: keys appear in the order written, doubles with 17 significant
// digits, NaN/inf and absent optionals as null.
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace nessmap {

class JsonObject {
public:
  JsonObject &add(const std::string &key, double v);
  JsonObject &add(const std::string &key, std::optional<double> v);
  JsonObject &add(const std::string &key, long long v);
  JsonObject &add(const std::string &key, int v) { return add(key, static_cast<long long>(v)); }
  JsonObject &add(const std::string &key, const std::string &v);
  JsonObject &add(const std::string &key, const char *v) { return add(key, std::string(v)); }
  JsonObject &add(const std::string &key, const std::vector<double> &v);
  JsonObject &add(const std::string &key, const std::vector<std::vector<double>> &v);
  JsonObject &add(const std::string &key, const JsonObject &v);
  JsonObject &add_null(const std::string &key);
  std::string str() const { return "{" + body_ + "}"; }

private:
  void key(const std::string &k);
  std::string body_;
};

std::string json_number(double v);
std::string json_string(const std::string &s);

} // namespace nessmap
