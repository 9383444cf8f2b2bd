// The trainer end to end: learning, exact resume, freezing, validation of its inputs, and the
// founding study's question on synthetic plates (a compound-disjoint split of 12 MoAs).
#include <cmath>
#include <map>
#include <set>

#include "c2s/profile/retrieval.hpp"
#include "c2s/train/images.hpp"
#include "c2s/train/trainer.hpp"
#include "c2s/vision/embed.hpp"
#include "c2s/vision/inception.hpp"
#include "c2s/vision/small_cnn.hpp"
#include "c2s/vision/synth.hpp"
#include "test_support.hpp"

namespace ct = c2s::train;
namespace cv = c2s::vision;

namespace {

/// Images whose class sets which quadrant is bright, with noise: learnable in a few epochs.
ct::MemoryDataset quadrant_images(std::size_t n, std::int64_t classes, std::uint64_t seed) {
    auto gen = at::detail::createCPUGenerator(seed);
    std::vector<torch::Tensor> ims;
    std::vector<std::int64_t> labels;
    for (std::size_t i = 0; i < n; ++i) {
        const auto k = static_cast<std::int64_t>(i) % classes;
        auto x = torch::randn({3, 24, 24}, gen) * 0.5;
        const auto q = k % 4;
        x.index_put_({torch::indexing::Slice(k / 4, 3), torch::indexing::Slice((q / 2) * 12, (q / 2) * 12 + 12),
                      torch::indexing::Slice((q % 2) * 12, (q % 2) * 12 + 12)},
                     2.0);
        ims.push_back(x.to(torch::kFloat32));
        labels.push_back(k);
    }
    return {ims, labels};
}

ct::TrainOptions quick_options() {
    ct::TrainOptions o;
    o.epochs = 3;
    o.batch_size = 8;
    o.optimizer.lr = 3e-3;
    o.augmentation.hflip = o.augmentation.vflip = o.augmentation.rotate90 = false;  // quadrants are the signal
    o.device = torch::Device(torch::kCPU);
    o.seed = 17;
    return o;
}

std::map<std::string, torch::Tensor> state_of(torch::nn::Module& m) {
    std::map<std::string, torch::Tensor> s;
    for (const auto& p : m.named_parameters()) s[p.key()] = p.value().detach().clone();
    for (const auto& b : m.named_buffers()) s[b.key()] = b.value().detach().clone();
    return s;
}

}  // namespace

TEST_CASE("fit: a small CNN learns a separable problem; loss falls; metrics, checkpoints and best epoch are recorded") {
    torch::set_num_threads(1);
    c2s::test::TempDir dir;
    const auto train = quadrant_images(96, 4, 1), val = quadrant_images(32, 4, 2);
    torch::manual_seed(3);
    cv::SmallCnn model(cv::SmallCnnOptions{4, 8, 0.0});
    auto o = quick_options();
    o.epochs = 4;
    o.checkpoint_dir = dir / "ck";
    o.keep_best = 2;
    std::vector<int> seen;
    o.on_epoch = [&](const ct::EpochRecord& r) { seen.push_back(r.epoch); };
    const auto r = ct::fit(model, train, &val, o);
    REQUIRE(r.history.size() == 4);
    CHECK(seen == std::vector<int>{0, 1, 2, 3});
    CHECK(r.history.back().train.loss < r.history.front().train.loss);
    CHECK(r.history.back().validation.accuracy >= 0.9);
    CHECK(r.history.front().train.samples == 96);
    CHECK(r.history.front().validation.samples == 32);
    CHECK(r.history.front().validation.confusion.size() == 4);
    CHECK(r.resumed_at_epoch == -1);
    CHECK(std::filesystem::exists(dir / "ck" / "last.pt"));
    CHECK(std::filesystem::exists(r.best_checkpoint));
    std::size_t kept = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir / "ck")) {
        const auto name = e.path().filename().string();
        CHECK((name == "last.pt" || (name.starts_with("epoch-") && name.ends_with(".pt"))));
        kept += name.starts_with("epoch-") ? 1 : 0;
    }
    CHECK(kept == 2);
    CHECK(r.best_checkpoint.filename().string() == "epoch-00" + std::to_string(r.best_epoch + 1) + ".pt");
    // the best checkpoint's weights evaluate to the best metric
    cv::SmallCnn again(cv::SmallCnnOptions{4, 8, 0.0});
    ct::load_checkpoint_weights(r.best_checkpoint, *again);
    ct::EvaluateOptions eo;
    eo.batch_size = 8;
    eo.augmentation = o.augmentation;
    CHECK(ct::evaluate(again, val, eo).metrics.accuracy == r.best_metric);
    // a finished run resumes to "nothing left": the same history, no new epoch
    const auto r2 = ct::fit(model, train, &val, o);
    CHECK(r2.resumed_at_epoch == 4);
    CHECK(r2.history.size() == 4);
}

TEST_CASE("fit: interrupted inside an epoch and resumed, the weights are bit-identical to an uninterrupted run") {
    torch::set_num_threads(1);
    const auto train = quadrant_images(40, 4, 5), val = quadrant_images(16, 4, 6);
    auto make = [] {
        torch::manual_seed(11);
        return cv::SmallCnn(cv::SmallCnnOptions{4, 8, 0.3});  // dropout: the generator state must resume too
    };
    auto o = quick_options();
    o.epochs = 3;
    o.accumulation_steps = 2;
    o.clip_grad_norm = 1.0;
    o.checkpoint_every_batches = 2;
    o.augmentation.crop_min = 0.7;  // random crops: the data order and views must resume too
    o.augmentation.output_size = 20;
    o.schedule.kind = ct::ScheduleKind::cosine;
    o.schedule.warmup_epochs = 1;
    o.optimizer.kind = ct::OptimizerKind::adamw;
    o.optimizer.weight_decay = 0.01;
    c2s::test::TempDir a, b;
    auto full = make();
    o.checkpoint_dir = a.path();
    const auto ra = ct::fit(full, train, &val, o);

    auto part = make();
    o.checkpoint_dir = b.path();
    c2s::Progress progress;
    o.progress = &progress;
    std::size_t batches = 0;
    o.on_batch = [&](const ct::StepInfo&) {
        if (++batches == 8) progress.request_interrupt();  // epoch 1 (5 batches each), batch 3
    };
    CHECK_THROWS_AS(ct::fit(part, train, &val, o), c2s::interrupted);
    auto resumed = make();  // a fresh process: new model, state only from the checkpoint
    o.progress = nullptr;
    o.on_batch = nullptr;
    const auto rb = ct::fit(resumed, train, &val, o);
    CHECK(rb.resumed_at_epoch == 1);
    CHECK(rb.resumed_at_batch == 2);
    const auto sa = state_of(*full), sb = state_of(*resumed);
    REQUIRE(sa.size() == sb.size());
    for (const auto& [k, t] : sa) CHECK_MESSAGE(torch::equal(t, sb.at(k)), k);
    REQUIRE(rb.history.size() == ra.history.size());
    for (std::size_t e = 0; e < ra.history.size(); ++e) {
        CHECK(ra.history[e].train.loss == rb.history[e].train.loss);
        CHECK(ra.history[e].validation.accuracy == rb.history[e].validation.accuracy);
        CHECK(ra.history[e].lr == rb.history[e].lr);
    }
}

TEST_CASE("fit: Inception V3 as in the founding study: fc first, then Mixed_7b/7c; frozen weights and BN statistics stay") {
    torch::set_num_threads(2);
    // 8 random 300x300 images, 3 classes
    auto gen = at::detail::createCPUGenerator(4);
    std::vector<torch::Tensor> ims;
    std::vector<std::int64_t> labels;
    for (int i = 0; i < 8; ++i) {
        ims.push_back(torch::rand({3, 300, 300}, gen));
        labels.push_back(i % 3);
    }
    ct::MemoryDataset data(ims, labels);
    cv::InceptionV3 model(cv::InceptionV3Options{3, true});
    cv::init_seeded(*model, 9);
    ct::TrainOptions o;
    o.epochs = 2;
    o.batch_size = 4;
    o.device = torch::Device(torch::kCPU);
    o.augmentation.output_size = 299;  // the auxiliary head needs 299 in training mode
    o.freeze.trainable = {"fc", "AuxLogits.fc"};
    o.freeze.unfreeze = {{1, {"Mixed_7b", "Mixed_7c"}}};
    o.optimizer.weight_decay = 1e-4;  // L2: would move frozen weights if they had gradients
    const auto before = state_of(*model);
    std::map<std::string, torch::Tensor> after_first;
    o.on_epoch = [&](const ct::EpochRecord& r) {
        if (r.epoch == 0) after_first = state_of(*model);
    };
    const auto r = ct::fit(model, data, static_cast<const ct::MemoryDataset*>(nullptr), o);
    const auto after = state_of(*model);
    auto changed = [](const std::map<std::string, torch::Tensor>& x, const std::map<std::string, torch::Tensor>& y,
                      const std::string& key) { return !torch::equal(x.at(key), y.at(key)); };
    // epoch 0: only the heads moved; every BN statistic is as loaded
    for (const auto& [k, t] : before) {
        const bool head = k.starts_with("fc.") || k.starts_with("AuxLogits.fc.");
        CHECK_MESSAGE(changed(before, after_first, k) == head, k);
    }
    // epoch 1: Mixed_7b/7c weights and their BN running statistics changed, everything else did not
    for (const auto& [k, t] : before) {
        const bool open = k.starts_with("Mixed_7b.") || k.starts_with("Mixed_7c.");
        if (k.ends_with("num_batches_tracked")) continue;
        if (open) CHECK_MESSAGE(changed(after_first, after, k), k);
        else if (!(k.starts_with("fc.") || k.starts_with("AuxLogits.fc."))) CHECK_MESSAGE(!changed(before, after, k), k);
    }
    CHECK(after.at("Mixed_7c.branch1x1.bn.running_mean").ne(before.at("Mixed_7c.branch1x1.bn.running_mean")).any().item<bool>());
    CHECK(torch::equal(after.at("Mixed_6e.branch1x1.bn.running_var"), before.at("Mixed_6e.branch1x1.bn.running_var")));
    CHECK(torch::equal(after.at("AuxLogits.conv0.bn.running_mean"), before.at("AuxLogits.conv0.bn.running_mean")));
    CHECK(r.history[0].trainable_parameters < r.history[1].trainable_parameters);
    CHECK(r.history[0].trainable_parameters == 2048 * 3 + 3 + 768 * 3 + 3);
    // a too small input for the auxiliary head in training mode is named
    model->train();
    C2S_CHECK_THROWS_WITH_SUBSTR((void)model->run(torch::rand({1, 3, 120, 120})), std::invalid_argument,
                                 "'input' is 120x120; in training mode the auxiliary head needs");
}

TEST_CASE("fit: bad inputs fail before the first batch, naming the class, pattern or value; nothing is written") {
    c2s::test::TempDir dir;
    const auto train = quadrant_images(12, 3, 1);
    auto val = quadrant_images(8, 4, 2);  // class 3 never occurs in training
    cv::SmallCnn model(cv::SmallCnnOptions{4, 4});
    auto o = quick_options();
    o.checkpoint_dir = dir / "ck";
    o.class_names = {"Actin disruptors", "Aurora kinase inhibitors", "Cholesterol-lowering", "DNA damage"};
    C2S_CHECK_THROWS_WITH_SUBSTR(ct::fit(model, train, &val, o), std::invalid_argument,
                                 "c2s::train::fit: validation 'DNA damage' (class 3) has no training sample");
    o.freeze.trainable = {"fc"};
    o.freeze.unfreeze = {{1, {"block5"}}};
    const auto val3 = quadrant_images(6, 3, 2);
    C2S_CHECK_THROWS_WITH_SUBSTR(ct::fit(model, train, &val3, o), std::invalid_argument,
                                 "unfreeze pattern 'block5' matches no parameter of the model");
    o.freeze.unfreeze = {{5, {"block4"}}};
    C2S_CHECK_THROWS_WITH_SUBSTR(ct::fit(model, train, &val3, o), std::invalid_argument,
                                 "an unfreeze stage opens at epoch 5, outside [0, 3)");
    o.freeze = {};
    cv::SmallCnn wide(cv::SmallCnnOptions{7, 4});
    C2S_CHECK_THROWS_WITH_SUBSTR(ct::fit(wide, train, &val3, o), std::invalid_argument,
                                 "the model gives 7 logits but the data have 3 classes");
    o.accumulation_steps = 0;
    C2S_CHECK_THROWS_WITH_SUBSTR(ct::fit(model, train, &val3, o), std::invalid_argument, "'accumulation_steps' is 0");
    CHECK_FALSE(std::filesystem::exists(dir / "ck"));
}

TEST_CASE("synthetic plates, compound-disjoint split of 12 MoAs: the trained CNN reaches >= 60% validation accuracy "
          "and its embeddings a higher NSC than the untrained model's") {
    torch::set_num_threads(2);
    c2s::test::TempDir dir;
    cv::SynthOptions so;
    so.weeks = 3;
    so.sites_per_well = 4;
    so.dmso_wells = 1;
    so.width = 192;
    so.height = 160;
    so.pixel_scale = 0.5;
    so.num_threads = 2;
    so.seed = 3;
    const auto plates = cv::generate_synthetic_plates(dir / "plates", so);
    const auto images = c2s::data::bbbc021::load(plates.root, c2s::data::bbbc021::MoaJoin::compound).images;
    const auto classes = ct::moa_classes(images, {"DMSO"});
    REQUIRE(classes.size() == 12);
    ct::ImageSetOptions io;
    io.size = 80;
    io.num_threads = 2;
    const auto all = ct::load_image_set(images, plates.root, classes, io);
    // compound-disjoint: per MoA, the alphabetically first compound is held out
    std::map<std::string, std::string> held_out;
    for (const auto& im : images)
        if (!im.moa.empty() && im.moa != "DMSO" && (!held_out.count(im.moa) || im.compound < held_out[im.moa]))
            held_out[im.moa] = im.compound;
    std::vector<std::size_t> tr, va;
    for (std::size_t i = 0; i < images.size(); ++i) {
        if (all.get_label(i) < 0) continue;
        (held_out[images[i].moa] == images[i].compound ? va : tr).push_back(i);
    }
    std::set<std::string> train_compounds, val_compounds;
    for (auto i : tr) train_compounds.insert(images[i].compound);
    for (auto i : va) val_compounds.insert(images[i].compound);
    for (const auto& c : val_compounds) REQUIRE(train_compounds.count(c) == 0);
    const auto train = ct::to_memory(all, tr), val = ct::to_memory(all, va);

    torch::manual_seed(1);
    cv::SmallCnn model(cv::SmallCnnOptions{12, 16, 0.2});
    cv::SmallCnn untrained(cv::SmallCnnOptions{12, 16, 0.2});
    {
        torch::NoGradGuard g;
        for (auto& p : untrained->named_parameters()) p.value().copy_(model->named_parameters()[p.key()]);
    }
    ct::TrainOptions o;
    o.epochs = 12;
    o.batch_size = 16;
    o.optimizer.kind = ct::OptimizerKind::adamw;
    o.optimizer.lr = 2e-3;
    o.optimizer.weight_decay = 1e-4;
    o.schedule.kind = ct::ScheduleKind::cosine;
    o.schedule.warmup_epochs = 1;
    o.augmentation.output_size = 64;
    o.augmentation.crop_min = 0.6;
    o.augmentation.crop_max = 0.9;
    o.sampling = ct::Sampling::class_balanced;
    o.loader_threads = 2;
    o.device = torch::Device(torch::kCPU);
    o.class_names = classes;
    const auto r = ct::fit(model, train, &val, o);
    MESSAGE("validation accuracy per epoch: ", [&] {
        std::string s;
        for (const auto& e : r.history) s += c2s::concat(e.validation.accuracy, " ");
        return s;
    }());
    CHECK(r.history.back().validation.accuracy >= 0.6);
    CHECK(r.best_metric >= 0.6);

    // NSC on wells (mean embedding of the well's fields): neighbour from another compound
    auto nsc = [&](cv::SmallCnn& m) {
        ct::EvaluateOptions eo;
        eo.augmentation = o.augmentation;
        m->eval();
        torch::NoGradGuard g;
        std::map<std::string, std::vector<torch::Tensor>> by_well;
        std::map<std::string, std::pair<std::string, std::string>> meta;
        for (std::size_t i = 0; i < all.size(); ++i) {
            if (all.get_label(i) < 0) continue;
            const auto& im = images[i];
            auto x = ct::evaluation_view(all.get(i).image, o.augmentation).unsqueeze(0);
            const auto key = im.plate + "/" + im.well;
            by_well[key].push_back(m->features(x, "avgpool").squeeze(0));
            meta[key] = {im.moa, im.compound};
        }
        Eigen::MatrixXd x(static_cast<Eigen::Index>(by_well.size()), 0);
        std::vector<std::string> moa, compound;
        Eigen::Index row = 0;
        for (auto& [key, v] : by_well) {
            auto mean = torch::stack(v).mean(0).to(torch::kFloat64).contiguous();
            if (x.cols() == 0) x.resize(x.rows(), mean.numel());
            for (Eigen::Index c = 0; c < x.cols(); ++c) x(row, c) = mean.data_ptr<double>()[c];
            moa.push_back(meta[key].first);
            compound.push_back(meta[key].second);
            ++row;
        }
        c2s::profile::NearestNeighbourOptions no;
        no.similarity = c2s::profile::Similarity::cosine;
        return c2s::profile::nearest_neighbour_accuracy(x, moa, compound, {}, no).accuracy;
    };
    const double trained_nsc = nsc(model), untrained_nsc = nsc(untrained);
    MESSAGE("well-level NSC: trained ", trained_nsc, ", untrained ", untrained_nsc);
    CHECK(trained_nsc > untrained_nsc);
    CHECK(trained_nsc >= 0.6);
}
