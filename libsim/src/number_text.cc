#include "colosim/number_text.h"

#include <cstdio>
#include <cstdlib>

namespace colosim {

std::string shortest_text(double x) {
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  return buf;
}

}  // namespace colosim
