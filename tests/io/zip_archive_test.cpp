// SPDX-License-Identifier: Apache-2.0
#include "io/zip_archive.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "io/hdf5/h5_file.h"
#include "tests/io/io_test_files.h"

namespace fathom::io {
namespace {

using testing::expect_error;
namespace fs = std::filesystem;

class ZipArchiveTest : public testing::TempDirTest {};

std::vector<std::uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

/// What a .keras file holds, with a binary member that has every byte value.
std::vector<std::pair<std::string, std::vector<std::uint8_t>>> keras_like_members() {
  std::vector<std::uint8_t> binary(1000);
  for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<std::uint8_t>(i * 7);
  return {{"metadata.json", bytes_of(R"({"keras_version": "3.8.0"})")},
          {"config.json", bytes_of(R"({"class_name": "Sequential"})")},
          {"model.weights.h5", binary},
          {"assets/empty.txt", {}}};
}

TEST_F(ZipArchiveTest, WritesStoredMembersAndReadsThemBack) {
  const std::string file = path("model.keras");
  const auto members = keras_like_members();
  write_zip(file, members);
  EXPECT_FALSE(fs::exists(file + ".tmp." + std::to_string(::getpid())));
  const ZipArchive zip = ZipArchive::open(file);
  EXPECT_EQ(zip.path(), file);
  EXPECT_EQ(zip.names(),
            (std::vector<std::string>{"metadata.json", "config.json", "model.weights.h5", "assets/empty.txt"}));
  for (const auto& [name, data] : members) EXPECT_EQ(zip.read(name), data) << name;
  EXPECT_EQ(zip.read_text("config.json"), R"({"class_name": "Sequential"})");
  EXPECT_TRUE(zip.contains("assets/empty.txt"));
  EXPECT_FALSE(zip.contains("assets"));
  // Stored, not deflated: the first local header says method 0 and the member bytes appear verbatim.
  const std::vector<std::uint8_t> raw = testing::read_bytes(file);
  ASSERT_GT(raw.size(), 30u);
  EXPECT_EQ(raw[8] | raw[9] << 8, 0);
  const auto& binary = members[2].second;
  EXPECT_NE(std::search(raw.begin(), raw.end(), binary.begin(), binary.end()), raw.end());
  EXPECT_EQ(sniff_file_kind(file), FileKind::kZip);
}

TEST_F(ZipArchiveTest, PythonZipfileReadsItAsStored) {
  const std::string file = path("model.keras");
  write_zip(file, keras_like_members());
  const int status = testing::run_python(dir_, "zipfile", R"(
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    assert z.testzip() is None
    infos = z.infolist()
    assert [i.filename for i in infos] == ["metadata.json", "config.json", "model.weights.h5", "assets/empty.txt"]
    assert all(i.compress_type == zipfile.ZIP_STORED for i in infos), [i.compress_type for i in infos]
    assert z.read("model.weights.h5") == bytes((i * 7) % 256 for i in range(1000))
    assert z.read("assets/empty.txt") == b""
)",
                                          file);
  if (status < 0) GTEST_SKIP() << "/usr/bin/python3 not available";
  EXPECT_EQ(status, 0);
}

TEST_F(ZipArchiveTest, EmptyArchiveAndAtomicReplacement) {
  const std::string file = path("empty.zip");
  write_zip(file, {});
  EXPECT_EQ(sniff_file_kind(file), FileKind::kZip);  // "PK\x05\x06"
  EXPECT_TRUE(ZipArchive::open(file).names().empty());
  expect_error<IoError>([&] { ZipArchive::open(file).read("config.json"); }, {"empty.zip", "no member", "empty"});
  // Bad input never touches the existing file.
  const std::vector<std::uint8_t> before = testing::read_bytes(file);
  expect_error<ValueError>([&] { write_zip(file, {{"a", {}}, {"a", {}}}); }, {"'a' given twice"});
  expect_error<ValueError>([&] { write_zip(file, {{"", {}}}); }, {"invalid member name"});
  EXPECT_EQ(testing::read_bytes(file), before);
  write_zip(file, {{"x.txt", bytes_of("new")}});
  EXPECT_EQ(ZipArchive::open(file).read_text("x.txt"), "new");
  expect_error<IoError>([&] { write_zip(path("no/such/dir/a.zip"), {{"x", {}}}); }, {"no/such/dir/a.zip"});
}

TEST_F(ZipArchiveTest, BadArchivesAreIoErrorsNamingThePath) {
  expect_error<IoError>([&] { ZipArchive::open(path("missing.keras")); }, {"missing.keras", "no such file"});
  expect_error<IoError>([&] { ZipArchive::open(dir_.string()); }, {"directory"});
  testing::write_bytes(path("text.keras"), bytes_of("{\"not\": \"a zip\"}"));
  expect_error<IoError>([&] { ZipArchive::open(path("text.keras")); }, {"text.keras", "not a zip"});
  const std::string good = path("good.keras");
  write_zip(good, keras_like_members());
  const std::vector<std::uint8_t> bytes = testing::read_bytes(good);
  const auto half = bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2);
  testing::write_bytes(path("half.keras"), {bytes.begin(), half});
  expect_error<IoError>([&] { ZipArchive::open(path("half.keras")); }, {"half.keras"});
  // Flip bytes inside the binary member: its CRC no longer matches.
  std::vector<std::uint8_t> flipped = bytes;
  const std::vector<std::uint8_t> binary = keras_like_members()[2].second;
  const auto at = std::search(flipped.begin(), flipped.end(), binary.begin(), binary.end());
  ASSERT_NE(at, flipped.end());
  for (int i = 400; i < 408; ++i) *(at + i) ^= 0xFF;
  testing::write_bytes(path("flipped.keras"), flipped);
  expect_error<IoError>([&] { ZipArchive::open(path("flipped.keras")); }, {"flipped.keras", "model.weights.h5"});
  // Flips all over the archive: IoError or intact data, never a crash.
  for (std::size_t k = 1; k < 32; ++k) {
    std::vector<std::uint8_t> damaged = bytes;
    const std::size_t at = bytes.size() * k / 32;
    for (std::size_t i = at; i < std::min(at + 4, bytes.size()); ++i) damaged[i] ^= 0xA5;
    testing::write_bytes(path("damaged.keras"), damaged);
    try {
      ZipArchive::open(path("damaged.keras"));
    } catch (const IoError& e) {
      EXPECT_NE(std::string(e.what()).find("damaged.keras"), std::string::npos) << e.what();
    }
  }
  const ZipArchive zip = ZipArchive::open(good);
  expect_error<IoError>([&] { zip.read("config.jsn"); },
                        {"good.keras", "no member 'config.jsn'", "Did you mean 'config.json'", "'metadata.json'"});
}

TEST_F(ZipArchiveTest, ReadsARealKeras3File) {
  FATHOM_REQUIRE_KERAS_MODEL(file, "11_keras3.8_masking_lstm.keras");
  EXPECT_EQ(sniff_file_kind(file), FileKind::kZip);
  const ZipArchive zip = ZipArchive::open(file);
  EXPECT_EQ(zip.names(), (std::vector<std::string>{"metadata.json", "config.json", "model.weights.h5"}));
  EXPECT_EQ(zip.read_text("metadata.json"), R"({"keras_version": "3.8.0", "date_saved": "2025-01-30@16:49:02"})");
  EXPECT_EQ(zip.read_text("config.json").substr(0, 52), R"({"module": "keras", "class_name": "Sequential", "con)");
  const std::vector<std::uint8_t> weights = zip.read("model.weights.h5");
  EXPECT_EQ(weights.size(), 13760u);
  const H5Reader r = H5Reader::open_image(weights, file + "/model.weights.h5");
  EXPECT_EQ(r.children("/layers"), (std::vector<std::string>{"lstm", "masking"}));
  EXPECT_EQ(r.string_attribute("/layers/lstm/vars", "name"), "lstm");
  const Tensor kernel = r.read_dataset("/layers/lstm/cell/vars/0");
  EXPECT_EQ(kernel.shape(), (Shape{2, 4}));
  const std::vector<float> k = kernel.to_vector<float>();
  EXPECT_FLOAT_EQ(k[0], -0.77649444f);
  EXPECT_FLOAT_EQ(k[4], 0.8568511f);
  EXPECT_EQ(r.dataset_shape("/layers/lstm/cell/vars/1"), (Shape{1, 4}));
  expect_error<IoError>([&] { r.read_dataset("/layers/lstm/cell/vars/3"); }, {"model.weights.h5", "vars/3"});
}

TEST_F(ZipArchiveTest, SniffsFileKindsFromTheirBytes) {
  const auto kind = [&](const std::string& name, const std::string& content) {
    testing::write_bytes(path(name), bytes_of(content));
    return sniff_file_kind(path(name));
  };
  const std::string hdf5_signature("\x89HDF\r\n\x1a\n", 8);
  EXPECT_EQ(kind("a.h5", hdf5_signature + "rest"), FileKind::kHdf5);
  EXPECT_EQ(kind("ub512.h5", std::string(512, 'u') + hdf5_signature), FileKind::kHdf5);  // after a user block
  EXPECT_EQ(kind("ub2048.h5", std::string(2048, '{') + hdf5_signature), FileKind::kHdf5);
  EXPECT_EQ(kind("ub100.h5", std::string(100, ' ') + hdf5_signature), FileKind::kOther);  // not a user block size
  EXPECT_EQ(kind("a.keras", std::string("PK\x03\x04", 4)), FileKind::kZip);
  EXPECT_EQ(kind("empty.keras", std::string("PK\x05\x06", 4) + std::string(18, '\0')), FileKind::kZip);
  EXPECT_EQ(kind("m.json", " \n\t{\"a\": 1}"), FileKind::kJson);
  EXPECT_EQ(kind("list.json", "[1, 2]"), FileKind::kJson);
  EXPECT_EQ(kind("bom.json", "\xEF\xBB\xBF{}"), FileKind::kJson);
  EXPECT_EQ(kind("m.yaml", "model:\n  layers: []\n"), FileKind::kOther);
  EXPECT_EQ(kind("empty.h5", ""), FileKind::kOther);
  EXPECT_EQ(kind("blank.json", "   \n"), FileKind::kOther);
  expect_error<IoError>([&] { sniff_file_kind(path("missing.h5")); }, {"missing.h5"});
  expect_error<IoError>([&] { sniff_file_kind(dir_.string()); }, {"directory"});
  FATHOM_REQUIRE_KERAS_MODEL(json, "04_cnn_bn_jettagger_keras2.0.6.json");
  EXPECT_EQ(sniff_file_kind(json), FileKind::kJson);
  EXPECT_EQ(sniff_file_kind(testing::keras_models_dir() + "/08_conv1d_gru_resetafter_tfkeras2.11_hdf5.keras"),
            FileKind::kHdf5);
}

}  // namespace
}  // namespace fathom::io
