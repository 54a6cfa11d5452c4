#pragma once
#include <string>

namespace colosim {

// The shortest decimal text that reads back to the same double: "0.1", "712.2", "1e+20".
// Non-finite values give "nan", "inf" or "-inf"; writers of JSON map them to null.
std::string shortest_text(double x);

}  // namespace colosim
