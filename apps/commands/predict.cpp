// SPDX-License-Identifier: Apache-2.0
// `fathom predict MODEL --input X.npy [--input X2.npy ...] --output Y.npy [--weights W]`:
// MODEL is a Keras file (legacy .h5 full model, .keras zip), a Fathom checkpoint, a Keras JSON
// architecture or a YAML run config — the last two with --weights (any weights file Fathom reads).
// The kind of file is told by its bytes, not its name. One --input per
// model input, in order; the output is float32, as Keras's predict returns it (a model with
// several outputs writes Y_0.npy, Y_1.npy, ...).
#include <cstdio>
#include <filesystem>

#include "apps/commands/commands.h"
#include "apps/commands/report.h"
#include "apps/commands/run_setup.h"
#include "core/ops.h"
#include "io/datasets/npy.h"
#include "io/zip_archive.h"
#include "models/checkpoint.h"
#include "models/keras_saving.h"

namespace fathom::apps {

int run_predict(const PredictArgs& args) {
  std::unique_ptr<models::Model> model;
  TensorList inputs;
  try {
    FATHOM_CHECK(std::filesystem::exists(args.model), ConfigError, "MODEL ", args.model, ": no such file");
    FATHOM_CHECK(args.batch_size > 0, ConfigError, "--batch-size must be positive, received ", args.batch_size);
    const io::FileKind kind = io::sniff_file_kind(args.model);
    if (kind == io::FileKind::kHdf5 || kind == io::FileKind::kZip || models::is_fathom_checkpoint(args.model)) {
      model = models::load_model_file(args.model);
    } else {
      FATHOM_CHECK(!args.weights.empty(), ConfigError, "MODEL ", args.model, " is ",
                   kind == io::FileKind::kJson ? "a Keras JSON architecture" : "a run config",
                   ", which has no weights; give them with --weights W");
      model = kind == io::FileKind::kJson ? models::model_from_keras_json_file(args.model) : set_up_run(args.model, {}).model;
    }
    if (!args.weights.empty()) models::load_weights_file(*model, args.weights);
    for (const std::string& path : args.inputs) {
      FATHOM_CHECK(std::filesystem::exists(path), ConfigError, "--input ", path, ": no such file");
      Tensor x = io::read_npy(path);
      inputs.push_back(x.dtype() == DType::kFloat32 ? x : ops::cast(x, DType::kFloat32));
    }
    const std::vector<Shape>& expected = model->built_input_shapes();
    FATHOM_CHECK(inputs.size() == expected.size(), ConfigError, "the model takes ", expected.size(), " input(s), ",
                 inputs.size(), " --input given (one .npy per model input, in order)");
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const Shape& want = expected[i];
      const Shape& got = inputs[i].shape();
      bool ok = got.size() == want.size() && !got.empty() && got[0] > 0;
      for (std::size_t d = 1; ok && d < got.size(); ++d) ok = want[d] < 0 || want[d] == got[d];
      FATHOM_CHECK(ok, ConfigError, "--input ", args.inputs[i], ": shape ", shape_to_string(got),
                   " does not fit the model's input ", shape_to_string(want), " (at least one sample)");
      FATHOM_CHECK(got[0] == inputs[0].shape()[0], ConfigError, "--input ", args.inputs[i], " has ", got[0],
                   " samples, ", args.inputs[0], " has ", inputs[0].shape()[0]);
    }
  } catch (const Error& e) {
    return report_usage_error(e);
  } catch (const std::exception& e) {  // std::filesystem and the like, before anything is written
    return report_usage_error(ConfigError(e.what()));
  }
  try {
    const TensorList outputs = model->predict_multi(inputs, args.batch_size);
    if (outputs.size() == 1) {
      io::write_npy(args.output, ops::cast(outputs[0], DType::kFloat32));
      std::printf("Wrote %s %s\n", args.output.c_str(), shape_to_string(outputs[0].shape()).c_str());
    } else {
      const std::filesystem::path out(args.output);
      for (std::size_t i = 0; i < outputs.size(); ++i) {
        const std::string path =
            (out.parent_path() / (out.stem().string() + "_" + std::to_string(i) + out.extension().string())).string();
        io::write_npy(path, ops::cast(outputs[i], DType::kFloat32));
        std::printf("Wrote %s %s\n", path.c_str(), shape_to_string(outputs[i].shape()).c_str());
      }
    }
    return kExitOk;
  } catch (const Error& e) {
    return report_run_error(e);
  }
}

}  // namespace fathom::apps
