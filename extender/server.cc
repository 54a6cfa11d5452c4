#include "colosim/extender/server.h"

#include <httplib.h>

#include "colosim/errors.h"

namespace colosim::extender {

struct ExtenderServer::Impl {
  httplib::Server http;
};

ExtenderServer::ExtenderServer(ExtenderService& service, std::size_t max_body_bytes) : impl_(std::make_unique<Impl>()) {
  auto& http = impl_->http;
  http.set_payload_max_length(max_body_bytes);
  auto answer = [](httplib::Response& res, const ExtenderService::Reply& reply) {
    res.status = reply.status;
    res.set_content(reply.body, "application/json");
  };
  http.Post("/filter", [&service, answer](const httplib::Request& req, httplib::Response& res) { answer(res, service.filter(req.body)); });
  http.Post("/prioritize",
            [&service, answer](const httplib::Request& req, httplib::Response& res) { answer(res, service.prioritize(req.body)); });
  http.Post("/bind", [&service, answer](const httplib::Request& req, httplib::Response& res) { answer(res, service.bind(req.body)); });
  http.Post("/state", [&service, answer](const httplib::Request& req, httplib::Response& res) { answer(res, service.set_state(req.body)); });
  http.Get("/state", [&service, answer](const httplib::Request&, httplib::Response& res) { answer(res, service.state()); });
  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
  // A handler that throws anyway (it should not: the service answers every error) gets a 500.
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(R"({"Error": "internal error"})", "application/json");
  });
}

ExtenderServer::~ExtenderServer() = default;

int ExtenderServer::bind(const std::string& host, int port) {
  const int bound = port == 0 ? impl_->http.bind_to_any_port(host) : (impl_->http.bind_to_port(host, port) ? port : -1);
  if (bound < 0) throw Error("extender: cannot listen on " + host + ":" + std::to_string(port));
  return bound;
}

void ExtenderServer::serve() { impl_->http.listen_after_bind(); }

void ExtenderServer::stop() { impl_->http.stop(); }

}  // namespace colosim::extender
