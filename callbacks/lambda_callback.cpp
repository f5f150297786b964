// SPDX-License-Identifier: Apache-2.0
#include "callbacks/lambda_callback.h"

namespace fathom::callbacks {
namespace {

template <class Fn, class... Args>
void call(const Fn& fn, const Args&... args) {
  if (fn) fn(args...);
}

}  // namespace

void LambdaCallback::on_train_begin(const Logs& logs) { call(hooks_.on_train_begin, logs); }
void LambdaCallback::on_train_end(const Logs& logs) { call(hooks_.on_train_end, logs); }
void LambdaCallback::on_epoch_begin(int epoch, const Logs& logs) { call(hooks_.on_epoch_begin, epoch, logs); }
void LambdaCallback::on_epoch_end(int epoch, Logs& logs) { call(hooks_.on_epoch_end, epoch, logs); }
void LambdaCallback::on_train_batch_begin(int batch, const Logs& logs) {
  call(hooks_.on_train_batch_begin, batch, logs);
}
void LambdaCallback::on_train_batch_end(int batch, const Logs& logs) { call(hooks_.on_train_batch_end, batch, logs); }
void LambdaCallback::on_test_begin(const Logs& logs) { call(hooks_.on_test_begin, logs); }
void LambdaCallback::on_test_end(const Logs& logs) { call(hooks_.on_test_end, logs); }
void LambdaCallback::on_test_batch_begin(int batch, const Logs& logs) { call(hooks_.on_test_batch_begin, batch, logs); }
void LambdaCallback::on_test_batch_end(int batch, const Logs& logs) { call(hooks_.on_test_batch_end, batch, logs); }
void LambdaCallback::on_predict_begin(const Logs& logs) { call(hooks_.on_predict_begin, logs); }
void LambdaCallback::on_predict_end(const Logs& logs) { call(hooks_.on_predict_end, logs); }
void LambdaCallback::on_predict_batch_begin(int batch, const Logs& logs) {
  call(hooks_.on_predict_batch_begin, batch, logs);
}
void LambdaCallback::on_predict_batch_end(int batch, const Logs& logs) {
  call(hooks_.on_predict_batch_end, batch, logs);
}

}  // namespace fathom::callbacks
