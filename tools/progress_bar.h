#pragma once
// A one-line progress bar on stderr for long commands: runs done, elapsed time and ETA.
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

#include <fmt/format.h>

namespace colosim::cli {

std::string clock_text(double seconds);  // "1:05", "2:01:05"

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}
  void update(std::size_t done, std::size_t total) {
    if (!enabled_ || total == 0) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * done / total);
    const std::string eta = done == 0 ? "?" : clock_text(elapsed / static_cast<double>(done) * static_cast<double>(total - done));
    fmt::print(stderr, "\r[{}{}] {}/{} runs  elapsed {}  ETA {} \x1b[K", std::string(filled, '#'),
               std::string(kWidth - filled, '.'), done, total, clock_text(elapsed), eta);
    std::fflush(stderr);
    drawn_ = true;
  }
  void clear() {
    if (drawn_) fmt::print(stderr, "\r\x1b[K");
    drawn_ = false;
  }

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  bool drawn_ = false;
};

}  // namespace colosim::cli
