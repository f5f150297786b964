// SPDX-License-Identifier: Apache-2.0
// get_metric (compile()'s name resolution), registered_metrics, and the get_config ->
// from_config -> get_config round trip of every registered metric.
#include <gtest/gtest.h>

#include "losses/accuracy_metrics.h"
#include "losses/confusion_metrics.h"
#include "losses/metric.h"
#include "losses/regression_metrics.h"

namespace fathom::losses {
namespace {

Config map_of(std::initializer_list<std::pair<const char*, Config>> entries) {
  Config c = Config::map();
  for (const auto& [k, v] : entries) c.set(k, v);
  return c;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no ConfigError)";
}

TEST(MetricConfigTest, AccuracyResolvesByLossAndShape) {
  struct Row {
    const char* loss;
    Shape shape;
    const char* expected;
  };
  const std::vector<Row> rows = {
      {"BinaryCrossentropy", {-1, 3}, "BinaryAccuracy"},
      {"binary_crossentropy", {-1, 3}, "BinaryAccuracy"},
      {"bce", {}, "BinaryAccuracy"},
      {"MeanSquaredError", {-1, 1}, "BinaryAccuracy"},  // last dim 1
      {"SparseCategoricalCrossentropy", {-1, 10}, "SparseCategoricalAccuracy"},
      {"sparse_categorical_crossentropy", {}, "SparseCategoricalAccuracy"},
      {"CategoricalCrossentropy", {-1, 10}, "CategoricalAccuracy"},
      {"", {}, "CategoricalAccuracy"},
  };
  for (const Row& row : rows) {
    for (const char* name : {"accuracy", "acc", "Accuracy"}) {
      const auto m = get_metric(Config(name), row.loss, row.shape);
      EXPECT_EQ(m->class_name(), row.expected) << name << " with " << row.loss;
      EXPECT_EQ(m->name(), name) << "compile keeps the identifier as the metric name";
    }
  }
}

TEST(MetricConfigTest, CrossentropyResolvesByLoss) {
  EXPECT_EQ(get_metric(Config("crossentropy"), "BinaryCrossentropy")->class_name(), "BinaryCrossentropy");
  EXPECT_EQ(get_metric(Config("ce"), "SparseCategoricalCrossentropy")->class_name(), "SparseCategoricalCrossentropy");
  const auto cce = get_metric(Config("crossentropy"), "CategoricalCrossentropy", {-1, 4});
  EXPECT_EQ(cce->class_name(), "CategoricalCrossentropy");
  EXPECT_EQ(cce->name(), "crossentropy");
}

TEST(MetricConfigTest, NamesAndClassNames) {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"mse", "MeanSquaredError"},        {"mae", "MeanAbsoluteError"},
      {"rmse", "RootMeanSquaredError"},   {"root_mean_squared_error", "RootMeanSquaredError"},
      {"mape", "MeanAbsolutePercentageError"}, {"msle", "MeanSquaredLogarithmicError"},
      {"binary_accuracy", "BinaryAccuracy"}, {"categorical_accuracy", "CategoricalAccuracy"},
      {"sparse_categorical_accuracy", "SparseCategoricalAccuracy"},
      {"top_k_categorical_accuracy", "TopKCategoricalAccuracy"},
      {"sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy"},
      {"precision", "Precision"},         {"recall", "Recall"},
      {"auc", "AUC"},                     {"AUC", "AUC"},
      {"binary_crossentropy", "BinaryCrossentropy"}, {"bce", "BinaryCrossentropy"},
      {"log_cosh_error", "LogCoshError"}, {"kl_divergence", "KLDivergence"},
      {"hinge", "Hinge"},                 {"mean", "Mean"},
  };
  for (const auto& [name, class_name] : expected) {
    const auto m = get_metric(Config(name));
    EXPECT_EQ(m->class_name(), class_name) << name;
    EXPECT_EQ(m->name(), name);
  }
}

TEST(MetricConfigTest, EveryRegisteredMetricRoundTrips) {
  for (const std::string& name : registered_metrics()) {
    SCOPED_TRACE(name);
    const auto m = get_metric(Config(name));
    const Config config = m->get_config();
    EXPECT_EQ(config.at("name").as_string(), name);
    EXPECT_EQ(config.at("dtype").as_string(), "float32");
    const auto again = get_metric(serialize_metric(*m));
    EXPECT_EQ(again->class_name(), m->class_name());
    EXPECT_EQ(again->get_config(), config) << again->get_config().to_json() << " vs " << config.to_json();
  }
}

TEST(MetricConfigTest, KerasConfigsLoad) {
  // As keras.metrics.X(...).get_config() writes them.
  const auto auc = get_metric(map_of(
      {{"class_name", "AUC"},
       {"config", map_of({{"name", "auc_10"}, {"dtype", "float32"}, {"num_thresholds", 4}, {"curve", "ROC"},
                          {"summation_method", "interpolation"}, {"multi_label", false}, {"num_labels", Config()},
                          {"label_weights", Config()}, {"from_logits", false},
                          {"thresholds", std::vector<Config>{0.25, 0.5}}})}}));
  EXPECT_EQ(auc->name(), "auc_10");
  EXPECT_EQ(dynamic_cast<AUC&>(*auc).thresholds(), (std::vector<double>{-1e-7, 0.25, 0.5, 1 + 1e-7}));
  const auto precision = get_metric(map_of(
      {{"class_name", "Precision"},
       {"config", map_of({{"name", "precision_6"}, {"dtype", "float32"}, {"thresholds", std::vector<Config>{0.3, 0.5}},
                          {"top_k", Config()}, {"class_id", Config()}})}}));
  EXPECT_EQ(dynamic_cast<Precision&>(*precision).thresholds(), (std::vector<double>{0.3, 0.5}));
  const auto bce = get_metric(map_of(
      {{"class_name", "BinaryCrossentropy"},
       {"config", map_of({{"name", "binary_crossentropy"}, {"dtype", "float32"}, {"from_logits", true},
                          {"label_smoothing", 0}})}}));
  EXPECT_TRUE(bce->get_config().at("from_logits").as_bool());
  const auto top = get_metric(map_of({{"class_name", "TopKCategoricalAccuracy"}, {"config", map_of({{"k", 3}})}}));
  EXPECT_EQ(top->get_config().at("k").as_int(), 3);
  EXPECT_EQ(get_metric(map_of({{"class_name", "BinaryAccuracy"}, {"config", map_of({{"threshold", 0.7}})}}))
                ->get_config()
                .at("threshold")
                .as_double(),
            0.7);
}

TEST(MetricConfigTest, Errors) {
  std::string what = error_of([] { get_metric(Config("acuracy")); });
  EXPECT_NE(what.find("unknown metric 'acuracy'"), std::string::npos) << what;
  EXPECT_NE(what.find("Did you mean 'accuracy'?"), std::string::npos) << what;
  what = error_of([] { get_metric(map_of({{"class_name", "Precission"}})); });
  EXPECT_NE(what.find("Did you mean 'Precision'?"), std::string::npos) << what;
  what = error_of([] { get_metric(map_of({{"class_name", "AUC"}, {"config", map_of({{"num_threshold", 10}})}})); });
  EXPECT_NE(what.find("AUC: unknown key 'num_threshold'"), std::string::npos) << what;
  EXPECT_NE(what.find("Did you mean 'num_thresholds'?"), std::string::npos) << what;
  what = error_of([] { get_metric(map_of({{"class_name", "AUC"}, {"config", map_of({{"multi_label", true}})}})); });
  EXPECT_NE(what.find("multi_label"), std::string::npos) << what;
  what = error_of([] { get_metric(map_of({{"class_name", "Mean"}, {"config", map_of({{"dtype", "int32"}})}})); });
  EXPECT_NE(what.find("dtype"), std::string::npos) << what;
  what = error_of([] { get_metric(map_of({{"class_name", "MeanSquaredError"}, {"config", map_of({{"reduction", "sum"}})}})); });
  EXPECT_NE(what.find("reduction"), std::string::npos) << what;
  what = error_of([] { get_metric(map_of({{"class_name", "Hinge"}, {"config", map_of({{"from_logits", true}})}})); });
  EXPECT_NE(what.find("unknown key 'from_logits'"), std::string::npos) << what;
}

}  // namespace
}  // namespace fathom::losses
