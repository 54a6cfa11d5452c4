#pragma once
// The HTTP transport of `colosim extender` (Debian's cpp-httplib): the verbs of ExtenderService
// as POST /filter, /prioritize, /bind, /state and GET /state, /healthz. Bodies over the limit
// get 413, unknown paths 404; every request runs on the server's thread pool.
#include <cstddef>
#include <memory>
#include <string>

#include "colosim/extender/service.h"

namespace colosim::extender {

class ExtenderServer {
 public:
  ExtenderServer(ExtenderService& service, std::size_t max_body_bytes);
  ~ExtenderServer();
  // Binds host:port (port 0: any free port) and returns the port; Error when it cannot.
  int bind(const std::string& host, int port);
  // Serves until stop(); returns when stopped.
  void serve();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace colosim::extender
