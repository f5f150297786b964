// SPDX-License-Identifier: Apache-2.0
// Parity with real Keras 3 (3.15.1, TensorFlow backend, float32): three steps of each optimizer
// (and of clipping, weight decay and a schedule) on the kernel [[1, -2], [3, 0.5]] and bias
// [0.1, -0.3] with fixed gradients. The expected numbers were printed by this Python:
//   w = keras.Variable(W0, name="w"); b = keras.Variable(B0, name="b"); opt = cls(**kwargs)
//   for t in range(3): opt.apply([GW[t], GB[t]], [w, b]); print(w.numpy().ravel(), b.numpy())
// with W0, B0 and the gradients as kGradients below. Optimizers are built through
// get_optimizer({class_name, config}), so the configs are exercised too.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "core/ops.h"
#include "optimizers/optimizer.h"

namespace fathom::optimizers {
namespace {

const std::vector<double> kGradients[3] = {{0.5, -1.0, 2.0, 0.1, 0.3, -0.2},
                                           {0.3, 0.2, -1.5, 0.4, -0.1, 0.6},
                                           {-0.4, 0.6, 0.1, -0.8, 0.2, 0.0}};

struct KerasSteps {
  const char* name;
  double steps[3][6];  // kernel (row-major) then bias, after steps 1, 2, 3
};

// clang-format off
const KerasSteps kKeras[] = {
    {"sgd", {
        {0.949999988, -1.89999998, 2.79999995, 0.49000001, 0.0700000003, -0.280000001},
        {0.919999957, -1.91999996, 2.95000005, 0.450000018, 0.0799999982, -0.340000004},
        {0.959999979, -1.98000002, 2.94000006, 0.530000031, 0.0599999949, -0.340000004},
    }},
    {"sgd_momentum", {
        {0.949999988, -1.89999998, 2.79999995, 0.49000001, 0.0700000003, -0.280000001},
        {0.875, -1.82999992, 2.76999998, 0.441000015, 0.0529999994, -0.321999997},
        {0.847500026, -1.8269999, 2.73300004, 0.476900011, 0.0176999979, -0.359800011},
    }},
    {"sgd_nesterov", {
        {0.904999971, -1.80999994, 2.61999989, 0.481000006, 0.0429999977, -0.262000024},
        {0.807499945, -1.76699996, 2.74299979, 0.396899998, 0.0376999974, -0.359800041},
        {0.822749972, -1.82429993, 2.69969988, 0.509209991, -0.0140700042, -0.393820047},
    }},
    {"adam", {
        {0.900001287, -1.90000105, 2.90000081, 0.400003821, 1.72108412e-06, -0.200002253},
        {0.804253757, -1.84889913, 2.89106846, 0.311567724, -0.0400193371, -0.249420494},
        {0.779395282, -1.84727824, 2.88161397, 0.337051928, -0.100327261, -0.28762117},
    }},
    {"adam_eps", {
        {0.986347377, -1.9759748, 2.9612577, 0.496934682, 0.0913352445, -0.294051707},
        {0.97144556, -1.96351802, 2.95731449, 0.486734211, 0.0876984224, -0.302287787},
        {0.966904998, -1.96307695, 2.95314026, 0.492379785, 0.0813214928, -0.308651686},
    }},
    {"adam_amsgrad", {
        {0.900001287, -1.90000105, 2.90000081, 0.400003821, 1.72108412e-06, -0.200002253},
        {0.804253757, -1.84889913, 2.89106846, 0.311567724, -0.0400193371, -0.249420494},
        {0.779395282, -1.84727824, 2.88161397, 0.337051928, -0.100327261, -0.287602067},
    }},
    {"adamw", {
        {0.899601281, -1.89920092, 2.89880085, 0.399803817, -3.82810831e-05, -0.199882239},
        {0.803493917, -1.84733927, 2.88870907, 0.311207801, -0.0400593244, -0.24922052},
        {0.778314054, -1.84497941, 2.8780992, 0.336567521, -0.100351229, -0.287321508},
    }},
    {"adamax", {
        {0.916666687, -1.90909088, 2.90476203, 0.450000018, 0.0250000134, -0.233333364},
        {0.85082233, -1.87556756, 2.89723611, 0.398421079, 0.0026148092, -0.264912307},
        {0.833881438, -1.8745594, 2.89072227, 0.413140237, -0.0299986508, -0.284855604},
    }},
    {"nadam", {
        {0.893721223, -1.89372122, 2.8937211, 0.393721312, -0.00627876073, -0.19372128},
        {0.834954679, -1.90669632, 2.94927287, 0.292853832, 0.0192029085, -0.288370728},
        {0.886338115, -1.95584571, 2.94396973, 0.383178949, -0.041850701, -0.294067413},
    }},
    {"rmsprop", {
        {0.858578622, -1.77639318, 2.71715736, 0.468534172, 0.00913262367, -0.237982631},
        {0.775849521, -1.82180083, 2.89839411, 0.351543099, 0.0394078679, -0.398568928},
        {0.881130934, -1.94954717, 2.88577032, 0.540520072, -0.0203029402, -0.398568928},
    }},
    {"rmsprop_centered_momentum", {
        {0.666667402, -1.66666687, 2.66666675, 0.166685164, -0.233331293, 0.033328712},
        {0.180167466, -1.43366957, 2.56293392, -0.465490401, -0.426796257, 0.0248651206},
        {-0.0661036968, -1.396752, 2.4557879, -0.747857809, -0.792094409, 0.0172478892},
    }},
    {"adagrad", {
        {0.925464392, -1.90871286, 2.90241003, 0.478178203, 0.0442913957, -0.259175181},
        {0.884639561, -1.92667341, 2.96147251, 0.412418604, 0.0625488162, -0.336634845},
        {0.932448685, -1.97410762, 2.95753813, 0.49202159, 0.0282490961, -0.336634845},
    }},
    {"adadelta", {
        {0.666666687, -1.59175169, 2.5635643, 0.402409971, -0.149136454, -0.117425814},
        {0.436274469, -1.7027694, 2.93849277, 0.101199895, -0.0549628735, -0.492216766},
        {0.728679776, -2.00097799, 2.90890551, 0.538989365, -0.234945044, -0.492216766},
    }},
    {"sgd_clipnorm", {
        {0.978198946, -1.95639789, 2.91279578, 0.495639801, 0.0700000003, -0.280000001},
        {0.959375262, -1.96894705, 3.00691414, 0.470541567, 0.0799999982, -0.340000004},
        {0.996355295, -2.02441716, 2.99766922, 0.544501603, 0.0599999949, -0.340000004},
    }},
    {"sgd_clipvalue", {
        {0.949999988, -1.95000005, 2.95000005, 0.49000001, 0.0700000003, -0.280000001},
        {0.919999957, -1.97000003, 3, 0.450000018, 0.0799999982, -0.330000013},
        {0.959999979, -2.01999998, 2.99000001, 0.5, 0.0599999949, -0.330000013},
    }},
    {"sgd_global_clipnorm", {
        {0.978463471, -1.95692694, 2.91385388, 0.4956927, 0.087078087, -0.291385412},
        {0.96087718, -1.96865118, 3.00178552, 0.472244292, 0.0929401889, -0.326558024},
        {0.997240841, -2.0231967, 2.99269462, 0.544971585, 0.0747583732, -0.326558024},
    }},
    {"sgd_weight_decay", {
        {0.939999998, -1.88, 2.76999998, 0.485000014, 0.0689999983, -0.27700001},
        {0.900599957, -1.88119996, 2.89230013, 0.440150023, 0.0783099979, -0.334230006},
        {0.931593955, -1.92238808, 2.8533771, 0.515748501, 0.0575268939, -0.330887705},
    }},
    {"adam_schedule", {
        {0.900001287, -1.90000105, 2.90000081, 0.400003821, 1.72108412e-06, -0.200002253},
        {0.832297564, -1.86386657, 2.89368463, 0.337470055, -0.0282974411, -0.234946236},
        {0.819868326, -1.86305618, 2.88895726, 0.350212157, -0.0584514029, -0.254046589},
    }},
};
// clang-format on

Config spec(const std::string& class_name, std::vector<std::pair<std::string, Config>> entries) {
  Config config = Config::map();
  for (auto& [key, value] : entries) config.set(key, std::move(value));
  Config c = Config::map();
  c.set("class_name", class_name);
  c.set("config", config);
  return c;
}

Config exponential_decay(double initial, double steps, double rate) {
  Config inner = Config::map();
  inner.set("initial_learning_rate", initial);
  inner.set("decay_steps", steps);
  inner.set("decay_rate", rate);
  Config c = Config::map();
  c.set("class_name", "ExponentialDecay");
  c.set("config", inner);
  return c;
}

Config case_spec(const std::string& name) {
  if (name == "sgd") return spec("SGD", {{"learning_rate", 0.1}});
  if (name == "sgd_momentum") return spec("SGD", {{"learning_rate", 0.1}, {"momentum", 0.9}});
  if (name == "sgd_nesterov")
    return spec("SGD", {{"learning_rate", 0.1}, {"momentum", 0.9}, {"nesterov", true}});
  if (name == "adam") return spec("Adam", {{"learning_rate", 0.1}});
  if (name == "adam_eps") return spec("Adam", {{"learning_rate", 0.1}, {"epsilon", 0.1}});
  if (name == "adam_amsgrad") return spec("Adam", {{"learning_rate", 0.1}, {"amsgrad", true}});
  if (name == "adamw") return spec("AdamW", {{"learning_rate", 0.1}});
  if (name == "adamax") return spec("Adamax", {{"learning_rate", 0.1}, {"epsilon", 0.1}});
  if (name == "nadam") return spec("Nadam", {{"learning_rate", 0.1}});
  if (name == "rmsprop") return spec("RMSprop", {{"learning_rate", 0.1}, {"epsilon", 0.1}});
  if (name == "rmsprop_centered_momentum") {
    return spec("RMSprop", {{"learning_rate", 0.1}, {"momentum", 0.9}, {"centered", true}});
  }
  if (name == "adagrad") return spec("Adagrad", {{"learning_rate", 0.1}, {"epsilon", 0.1}});
  if (name == "adadelta") return spec("Adadelta", {{"learning_rate", 1.0}, {"epsilon", 1e-2}});
  if (name == "sgd_clipnorm") return spec("SGD", {{"learning_rate", 0.1}, {"clipnorm", 1.0}});
  if (name == "sgd_clipvalue") return spec("SGD", {{"learning_rate", 0.1}, {"clipvalue", 0.5}});
  if (name == "sgd_global_clipnorm")
    return spec("SGD", {{"learning_rate", 0.1}, {"global_clipnorm", 1.0}});
  if (name == "sgd_weight_decay")
    return spec("SGD", {{"learning_rate", 0.1}, {"weight_decay", 0.1}});
  if (name == "adam_schedule")
    return spec("Adam", {{"learning_rate", exponential_decay(0.1, 2, 0.5)}});
  ADD_FAILURE() << "no config for case " << name;
  return Config();
}

Tensor part(const std::vector<double>& v, bool kernel) {
  std::vector<float> p = kernel ? std::vector<float>(v.begin(), v.begin() + 4)
                                : std::vector<float>(v.begin() + 4, v.end());
  return Tensor::from_vector(p, kernel ? Shape{2, 2} : Shape{2});
}

class KerasParity : public ::testing::TestWithParam<KerasSteps> {};

TEST_P(KerasParity, FirstThreeStepsMatchKeras) {
  const KerasSteps& expected = GetParam();
  auto opt = get_optimizer(case_spec(expected.name));
  const std::vector<double> x0 = {1.0, -2.0, 3.0, 0.5, 0.1, -0.3};
  Variable w(part(x0, true), "w");
  Variable b(part(x0, false), "b");
  for (int t = 0; t < 3; ++t) {
    opt->apply({part(kGradients[t], true), part(kGradients[t], false)}, {w, b});
    std::vector<float> got = w.value().to_vector<float>();
    for (float v : b.value().to_vector<float>()) got.push_back(v);
    for (int i = 0; i < 6; ++i) {
      const double want = expected.steps[t][i];
      EXPECT_NEAR(got[i], want, 1e-7 + 1e-6 * std::abs(want))
          << expected.name << " step " << t + 1 << " element " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllOptimizers, KerasParity, ::testing::ValuesIn(kKeras),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace fathom::optimizers
