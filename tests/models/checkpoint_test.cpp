// SPDX-License-Identifier: Apache-2.0
#include "models/checkpoint.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>

#include "core/ops.h"
#include "layers/dense.h"
#include "layers/merging.h"
#include "layers/registry.h"
#include "models/functional.h"
#include "models/sequential.h"
#include "optimizers/optimizer.h"

namespace fathom::models {
namespace {

namespace fs = std::filesystem;
using layers::Dense;

std::shared_ptr<Dense> dense(std::int64_t units, std::string activation = "linear", std::string name = "") {
  return std::make_shared<Dense>(Dense::Options{.units = units, .activation = std::move(activation)}, std::move(name));
}

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fathom_checkpoint_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  static std::unique_ptr<Sequential> mlp(std::int64_t in = 4, std::int64_t hidden = 8) {
    auto model = std::make_unique<Sequential>();
    model->add(dense(hidden, "tanh"));
    model->add(dense(3));
    model->build_from_shapes({Shape{-1, in}});  // build() alone leaves built() false
    return model;
  }
  static std::string read_bytes(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  static void write_bytes(const std::string& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  /// Rewrites the trailing CRC so that only the deliberate damage is left to find.
  static std::string with_valid_crc(std::string bytes) {
    const uLong crc = crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size() - 4));
    for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
    return bytes;
  }
  static void expect_io_error(const std::string& p, const std::string& fragment) {
    try {
      read_checkpoint(p);
      FAIL() << "expected IoError containing '" << fragment << "'";
    } catch (const IoError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << "the path is named: " << e.what();
    }
  }

  fs::path dir_;
};

TEST_F(CheckpointTest, SequentialRoundTripPredictsTheSame) {
  auto model = mlp();
  model->layers()[0]->set_trainable(false);  // frozen weights are saved too
  const Tensor x = random::normal({5, 4}, 0, 1, DType::kFloat32, 3);
  const Tensor expected = model->predict(x);
  Config training = Config::map();
  training.set("epoch", 3).set("step", std::int64_t{120}).set("rng", generator_state_to_config({~0ull, 17}));
  training.set("note", "ünïcode \"quoted\"\n\ttabbed \x01").set("loss", 0.125);
  training.set("best", std::numeric_limits<double>::infinity());
  save_checkpoint(path("m.fathom"), *model, training);

  EXPECT_TRUE(is_fathom_checkpoint(path("m.fathom")));
  const auto loaded = load_model(path("m.fathom"));
  EXPECT_EQ(loaded->class_name(), "Sequential");
  EXPECT_EQ(loaded->name(), model->name());
  EXPECT_EQ(loaded->predict(x).to_vector<float>(), expected.to_vector<float>());
  EXPECT_FALSE(loaded->layers()[0]->trainable());

  const CheckpointContents c = read_checkpoint(path("m.fathom"));
  EXPECT_EQ(c.model_config, layers::serialize_layer(*model));
  ASSERT_EQ(c.weights.size(), 4u);
  EXPECT_EQ(c.weights[0].first, model->weights()[0].name());
  EXPECT_TRUE(c.optimizer_config.is_null()) << "not compiled: no optimizer section";
  EXPECT_EQ(c.training, training);
  EXPECT_EQ(generator_state_from_config(c.training.at("rng")), (random::GeneratorState{~0ull, 17}));
}

TEST_F(CheckpointTest, FunctionalTwoInputRoundTripPredictsTheSame) {
  const SymbolicTensor a = Input({4}, "a");
  const SymbolicTensor b = Input({3}, "b");
  const SymbolicTensor ha = call_layer(dense(5, "relu"), a);
  const SymbolicTensor hb = call_layer(dense(5, "tanh"), b);
  const SymbolicTensor cat = call_layer(std::make_shared<layers::Concatenate>(), {ha, hb});
  Functional model(std::vector<SymbolicTensor>{a, b}, std::vector<SymbolicTensor>{call_layer(dense(2), cat)}, "towers");
  const Tensor xa = random::normal({6, 4}, 0, 1, DType::kFloat32, 1);
  const Tensor xb = random::normal({6, 3}, 0, 1, DType::kFloat32, 2);
  const Tensor expected = model.call_model({xa, xb}, false)[0];

  save_checkpoint(path("f.fathom"), model);
  const auto loaded = load_model(path("f.fathom"));
  EXPECT_EQ(loaded->class_name(), "Functional");
  EXPECT_EQ(loaded->call_model({xa, xb}, false)[0].to_vector<float>(), expected.to_vector<float>());
}

TEST_F(CheckpointTest, LoadWeightsIntoAFreshModelAndRejectsMismatches) {
  auto source = mlp();
  save_checkpoint(path("w.fathom"), *source);
  auto same = mlp();  // other automatic layer names, same structure: loads by position
  load_weights(*same, path("w.fathom"));
  const Tensor x = Tensor::ones({2, 4});
  EXPECT_EQ(same->predict(x).to_vector<float>(), source->predict(x).to_vector<float>());

  auto wider = mlp(4, 9);
  const std::vector<Tensor> before = wider->get_weights();
  try {
    load_weights(*wider, path("w.fathom"));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(wider->weights()[0].name()), std::string::npos) << what;
    EXPECT_NE(what.find("[4, 8]"), std::string::npos) << what;
    EXPECT_NE(what.find("[4, 9]"), std::string::npos) << what;
  }
  const std::vector<Tensor> after = wider->get_weights();
  for (std::size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[i].to_vector<float>(), before[i].to_vector<float>()) << "weight " << i << " unchanged";
  }

  auto deeper = mlp();
  deeper->add(dense(2));
  EXPECT_THROW(load_weights(*deeper, path("w.fathom")), ValueError);
}

TEST_F(CheckpointTest, OptimizerStateResumesExactly) {
  const Tensor x = random::normal({8, 4}, 0, 1, DType::kFloat32, 5);
  const Tensor y = random::normal({8, 3}, 0, 1, DType::kFloat32, 6);
  CompileOptions options;
  options.loss = "mse";
  options.optimizer = "adam";  // Adam's bias correction needs the restored iteration count
  auto model = mlp();
  model->compile(options);
  for (int i = 0; i < 3; ++i) model->train_on_batch(x, y);
  save_checkpoint(path("o.fathom"), *model);
  model->train_on_batch(x, y);  // the uninterrupted run

  const CheckpointContents c = read_checkpoint(path("o.fathom"));
  EXPECT_EQ(c.optimizer_config.at("class_name").as_string(), "Adam");
  ASSERT_EQ(c.optimizer_variables.size(), 1u + 2u * 4u);  // iteration + momentum and velocity per weight
  EXPECT_EQ(c.optimizer_variables[0].second.item<std::int64_t>(), 3);

  auto resumed = load_model(path("o.fathom"));
  resumed->compile(options);  // a second Adam: another automatic name ("adam_1"), matched all the same
  EXPECT_NE(resumed->optimizer()->name(), model->optimizer()->name());
  load_optimizer_state(*resumed, c);
  EXPECT_EQ(resumed->optimizer()->iterations(), 3);
  resumed->train_on_batch(x, y);
  const auto want = model->get_weights();
  const auto got = resumed->get_weights();
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i].to_vector<float>(), want[i].to_vector<float>()) << i;

  auto sgd = load_model(path("o.fathom"));
  options.optimizer = "sgd";
  sgd->compile(options);
  EXPECT_THROW(load_optimizer_state(*sgd, c), ValueError);
  EXPECT_EQ(sgd->optimizer()->iterations(), 0);
}

TEST_F(CheckpointTest, CorruptFilesAreReportedNeverCrash) {
  auto model = mlp();
  CompileOptions options;
  options.loss = "mse";
  options.optimizer = Config("sgd");
  model->compile(options);
  Config training = Config::map();
  training.set("epoch", 1);
  save_checkpoint(path("c.fathom"), *model, training);
  const std::string good = read_bytes(path("c.fathom"));
  const std::string bad = path("bad.fathom");

  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x10;
  write_bytes(bad, flipped);
  expect_io_error(bad, "checksum mismatch");

  write_bytes(bad, good.substr(0, good.size() - 9));
  expect_io_error(bad, "truncated");

  write_bytes(bad, "FATHOM\x01");
  expect_io_error(bad, "not a Fathom checkpoint");

  std::string version = good;
  version[8] = 2;
  write_bytes(bad, with_valid_crc(version));
  expect_io_error(bad, "format version 2 is not supported");

  // Damage under a valid checksum: what only the metadata checks can catch.
  auto rewrite = [&](const std::string& from, const std::string& to) {
    std::string bytes = good;
    const auto at = bytes.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    ASSERT_EQ(from.size(), to.size());
    bytes.replace(at, from.size(), to);
    write_bytes(bad, with_valid_crc(bytes));
  };
  rewrite("\"float32\", \"shape\"", "\"float31\", \"shape\"");
  expect_io_error(bad, "unknown dtype 'float31'");
  rewrite("\"shape\": [4, 8]", "\"shape\": [4, 9]");
  expect_io_error(bad, "needs 144 bytes, the entry says 128");
  rewrite("{\"model\"", "[\"model\"");
  expect_io_error(bad, "not valid JSON");
  rewrite("\"offset\": 0,", "\"offset\": 9,");
  expect_io_error(bad, "overlap the previous tensor or lie outside");

  // Fuzz: every 7th truncation and random byte flips must end in fathom::Error, never a crash.
  for (std::size_t n = 0; n < good.size(); n += 7) {
    write_bytes(bad, good.substr(0, n));
    EXPECT_THROW(read_checkpoint(bad), Error) << "truncated at " << n;
  }
  std::mt19937 rng(42);
  for (int i = 0; i < 200; ++i) {
    std::string bytes = good;
    bytes[rng() % bytes.size()] ^= static_cast<char>(1 + rng() % 255);
    write_bytes(bad, i % 2 ? bytes : with_valid_crc(bytes));  // half reach the metadata checks
    try {
      const CheckpointContents c = read_checkpoint(bad);
      auto m = mlp();
      load_weights(*m, bad);  // a flip in the tensor bytes under a valid CRC is still a readable file
    } catch (const Error&) {
    }
  }
}

TEST_F(CheckpointTest, FailedWriteKeepsTheOldFile) {
  auto small = mlp(2, 2);
  save_checkpoint(path("keep.fathom"), *small);
  const std::string old = read_bytes(path("keep.fathom"));

  // A file size limit makes write() fail part-way through, as a full disk would.
  auto big = mlp(64, 64);
  auto* previous = std::signal(SIGXFSZ, SIG_IGN);
  rlimit saved{};
  ::getrlimit(RLIMIT_FSIZE, &saved);
  rlimit limited = saved;
  limited.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  EXPECT_THROW(save_checkpoint(path("keep.fathom"), *big), IoError);
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, previous);

  EXPECT_EQ(read_bytes(path("keep.fathom")), old);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1) << "no temp file left";
  load_weights(*small, path("keep.fathom"));
}

TEST_F(CheckpointTest, IsFathomCheckpointReadsMagicNotExtension) {
  write_bytes(path("model.fathom"), "{\"not\": \"a checkpoint\"}");
  EXPECT_FALSE(is_fathom_checkpoint(path("model.fathom")));
  EXPECT_FALSE(is_fathom_checkpoint(path("missing.fathom")));
  EXPECT_FALSE(is_fathom_checkpoint(dir_.string()));
  expect_io_error(path("model.fathom"), "not a Fathom checkpoint");

  save_checkpoint(path("weights.h5"), *mlp());
  EXPECT_TRUE(is_fathom_checkpoint(path("weights.h5")));
}

}  // namespace
}  // namespace fathom::models
