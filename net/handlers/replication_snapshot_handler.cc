#include "net/handlers/replication_snapshot_handler.h"

#include <utility>

#include "core/status.h"
#include "net/error_response.h"
#include "net/replication/replication_wire.h"

namespace logbook::net {

struct ReplicationSnapshotHandler::Job {
  uv_work_t work;
  ReplicationSnapshotHandler* handler = nullptr;
  SnapshotExport* export_snapshot = nullptr;
  Responder responder;
  absl::StatusOr<replication::SnapshotTransfer> result;
  std::string body;

  // Pool thread.
  void Run() {
    result = (*export_snapshot)();
    if (result.ok() && result->offset != 0) body = replication::EncodeSnapshotTransfer(*result);
  }
};

ReplicationSnapshotHandler::ReplicationSnapshotHandler(uv_loop_t* loop,
                                                       SnapshotExport export_snapshot,
                                                       std::string node_id,
                                                       std::string log_identity)
    : loop_(loop),
      export_(std::move(export_snapshot)),
      node_id_(std::move(node_id)),
      log_identity_(std::move(log_identity)) {}

void ReplicationSnapshotHandler::Handle(Responder responder) {
  if (!export_) return std::move(responder)(ErrorResponse(503, "snapshot transfer unavailable"));
  if (exporting_) {
    HttpResponse busy = ErrorResponse(503, "busy", "a snapshot export is already running");
    busy.SetHeader("Retry-After", "1");
    return std::move(responder)(std::move(busy));
  }
  auto* job = new Job();  // not Job{}: StatusOr's default constructor is explicit
  job->handler = this;
  job->export_snapshot = &export_;
  job->responder = std::move(responder);
  job->work.data = job;
  const int rc = uv_queue_work(
      loop_, &job->work, [](uv_work_t* work) { static_cast<Job*>(work->data)->Run(); },
      [](uv_work_t* work, int) {
        auto* done = static_cast<Job*>(work->data);
        done->handler->Finish(done);
        delete done;
      });
  if (rc != 0) {
    std::move(job->responder)(ErrorResponse(503, "cannot schedule the export", uv_strerror(rc)));
    delete job;
    return;
  }
  exporting_ = true;
}

void ReplicationSnapshotHandler::Finish(Job* job) {
  exporting_ = false;
  if (!job->result.ok()) {
    return std::move(job->responder)(
        ErrorResponse(500, "snapshot export failed", core::MessageOf(job->result.status())));
  }
  HttpResponse response;
  response.status = 200;
  response.body = std::move(job->body);
  if (job->result->offset != 0) {
    response.SetHeader("Content-Type", std::string(replication::kSnapshotContentType));
  }
  response.SetHeader(std::string(replication::kNodeIdHeader), node_id_);
  response.SetHeader(std::string(replication::kLogIdentityHeader), log_identity_);
  response.SetHeader(std::string(replication::kSnapshotOffsetHeader),
                     std::to_string(job->result->offset));
  std::move(job->responder)(std::move(response));
}

}  // namespace logbook::net
