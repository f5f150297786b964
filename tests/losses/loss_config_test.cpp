// SPDX-License-Identifier: Apache-2.0
// get_loss, registered_losses and the get_config -> from_config -> get_config round trip of
// every registered loss.
#include <gtest/gtest.h>

#include "losses/crossentropy.h"
#include "losses/loss.h"
#include "losses/regression.h"

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

TEST(LossConfigTest, EveryRegisteredNameBuildsAndRoundTrips) {
  for (const std::string& name : registered_losses()) {
    SCOPED_TRACE(name);
    const auto loss = get_loss(Config(name));
    ASSERT_NE(loss, nullptr);
    const Config config = loss->get_config();
    EXPECT_EQ(config.at("name").as_string(), loss->name());
    EXPECT_EQ(config.at("reduction").as_string(), "sum_over_batch_size");
    const auto again = get_loss(serialize_loss(*loss));
    EXPECT_EQ(again->class_name(), loss->class_name());
    EXPECT_EQ(again->get_config(), config) << again->get_config().to_json() << " vs " << config.to_json();
  }
}

TEST(LossConfigTest, NamesAndAliasesResolveLikeKeras) {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"mse", "MeanSquaredError"},          {"MSE", "MeanSquaredError"},
      {"mae", "MeanAbsoluteError"},         {"mape", "MeanAbsolutePercentageError"},
      {"msle", "MeanSquaredLogarithmicError"}, {"kld", "KLDivergence"},
      {"kl_divergence", "KLDivergence"},    {"kullback_leibler_divergence", "KLDivergence"},
      {"bce", "BinaryCrossentropy"},        {"binary_crossentropy", "BinaryCrossentropy"},
      {"categorical_crossentropy", "CategoricalCrossentropy"},
      {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"},
      {"huber", "Huber"},                   {"log_cosh", "LogCosh"},
      {"logcosh", "LogCosh"},               {"poisson", "Poisson"},
      {"hinge", "Hinge"},                   {"squared_hinge", "SquaredHinge"},
      {"categorical_hinge", "CategoricalHinge"}, {"cosine_similarity", "CosineSimilarity"},
  };
  for (const auto& [name, class_name] : expected) {
    const auto loss = get_loss(Config(name));
    EXPECT_EQ(loss->class_name(), class_name) << name;
    EXPECT_EQ(loss->name(), name) << "a function name names the loss, as compile(loss='mse') does";
  }
  EXPECT_EQ(get_loss(Config("Huber"))->name(), "huber_loss");  // class name: the class's default
  EXPECT_EQ(get_loss(Config("MeanSquaredError"))->name(), "mean_squared_error");
}

TEST(LossConfigTest, ClassNameConfigMappings) {
  const Config id = map_of({{"module", "keras.losses"},
                            {"class_name", "SparseCategoricalCrossentropy"},
                            {"config", map_of({{"name", "scce"}, {"reduction", "sum"}, {"from_logits", true},
                                               {"ignore_class", Config()}})},
                            {"registered_name", Config()}});
  const auto loss = get_loss(id);
  EXPECT_EQ(loss->name(), "scce");
  EXPECT_EQ(loss->reduction(), Reduction::kSum);
  EXPECT_TRUE(dynamic_cast<SparseCategoricalCrossentropy&>(*loss).options().from_logits);
  // Keras's serialized function form, and reduction None meaning "none".
  EXPECT_EQ(get_loss(map_of({{"class_name", "function"}, {"config", "mse"}}))->class_name(), "MeanSquaredError");
  const auto none = get_loss(map_of({{"class_name", "Huber"}, {"config", map_of({{"reduction", Config()}, {"delta", 2}})}}));
  EXPECT_EQ(none->reduction(), Reduction::kNone);
  EXPECT_EQ(none->get_config().at("delta").as_double(), 2.0);
  EXPECT_EQ(none->get_config().at("reduction").as_string(), "none");
}

TEST(LossConfigTest, OwnKeysRoundTrip) {
  const BinaryCrossentropy bce({.from_logits = true, .label_smoothing = 0.1, .axis = 1}, Reduction::kMean, "my_bce");
  const Config c = bce.get_config();
  EXPECT_EQ(c.keys(), (std::vector<std::string>{"name", "reduction", "from_logits", "label_smoothing", "axis"}));
  EXPECT_EQ(c.at("name").as_string(), "my_bce");
  EXPECT_EQ(c.at("reduction").as_string(), "mean");
  EXPECT_TRUE(c.at("from_logits").as_bool());
  EXPECT_EQ(c.at("label_smoothing").as_double(), 0.1);
  EXPECT_EQ(c.at("axis").as_int(), 1);
  EXPECT_EQ(BinaryCrossentropy::from_config(c)->get_config(), c);
  const SparseCategoricalCrossentropy scce({.ignore_class = 255});
  EXPECT_EQ(scce.get_config().at("ignore_class").as_int(), 255);
  EXPECT_EQ(SparseCategoricalCrossentropy::from_config(scce.get_config())->get_config(), scce.get_config());
  EXPECT_EQ(CosineSimilarity(0).get_config().at("axis").as_int(), 0);
  // dtype (a Keras constructor argument) is accepted.
  EXPECT_NO_THROW(MeanSquaredError::from_config(map_of({{"dtype", "float32"}})));
}

TEST(LossConfigTest, UnknownNameIsConfigErrorWithSuggestion) {
  std::string what = error_of([] { get_loss(Config("mean_squared_eror")); });
  EXPECT_NE(what.find("unknown loss 'mean_squared_eror'"), std::string::npos) << what;
  EXPECT_NE(what.find("Did you mean 'mean_squared_error'?"), std::string::npos) << what;
  what = error_of([] { get_loss(map_of({{"class_name", "CategoricalCrossEntropy"}})); });
  EXPECT_NE(what.find("Did you mean 'CategoricalCrossentropy'?"), std::string::npos) << what;
  what = error_of([] { get_loss(Config(3)); });
  EXPECT_NE(what.find("a loss must be a name"), std::string::npos) << what;
}

TEST(LossConfigTest, UnknownKeyIsConfigErrorNamingTheClass) {
  std::string what = error_of([] {
    get_loss(map_of({{"class_name", "BinaryCrossentropy"}, {"config", map_of({{"from_logit", true}})}}));
  });
  EXPECT_NE(what.find("BinaryCrossentropy: unknown key 'from_logit'"), std::string::npos) << what;
  EXPECT_NE(what.find("Did you mean 'from_logits'?"), std::string::npos) << what;
  what = error_of([] { MeanSquaredError::from_config(map_of({{"reduction", "avg"}})); });
  EXPECT_NE(what.find("MeanSquaredError"), std::string::npos) << what;
  EXPECT_NE(what.find("reduction"), std::string::npos) << what;
  what = error_of([] { SparseCategoricalCrossentropy::from_config(map_of({{"axis", 1}})); });
  EXPECT_NE(what.find("only axis=-1"), std::string::npos) << what;
  what = error_of([] { get_loss(map_of({{"class_name", "Huber"}, {"cfg", Config::map()}})); });
  EXPECT_NE(what.find("unknown key 'cfg'"), std::string::npos) << what;
}

}  // namespace
}  // namespace fathom::losses
