// The trainer's parts on their own: data order, augmentation, loaders, freezing patterns,
// optimizer groups, schedules, metrics, checkpoints.

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "c2s/train/checkpoint.hpp"
#include "c2s/train/data.hpp"
#include "c2s/train/freeze.hpp"
#include "c2s/train/metrics.hpp"
#include "c2s/train/optimizer.hpp"
#include "c2s/train/sampler.hpp"
#include "c2s/train/schedule.hpp"
#include "c2s/vision/inception.hpp"
#include "c2s/vision/small_cnn.hpp"
#include "test_support.hpp"

namespace ct = c2s::train;
namespace cv = c2s::vision;

namespace {
ct::MemoryDataset ramp_images(std::size_t n, std::int64_t h, std::int64_t w, std::int64_t classes) {
    std::vector<torch::Tensor> ims;
    std::vector<std::int64_t> labels;
    for (std::size_t i = 0; i < n; ++i) {
        ims.push_back(torch::arange(3 * h * w, torch::kFloat32).reshape({3, h, w}) + static_cast<float>(i) * 1000.0f);
        labels.push_back(static_cast<std::int64_t>(i) % classes);
    }
    return {ims, labels};
}
}  // namespace

TEST_CASE("epoch_order: shuffle is a seeded permutation, new each epoch; sequential keeps order; negatives skipped") {
    std::vector<std::int64_t> labels{0, 1, 2, 0, 1, -1, 2, 0, 1, 2};
    const auto a = ct::epoch_order(labels, ct::Sampling::shuffle, 7, 0);
    const auto b = ct::epoch_order(labels, ct::Sampling::shuffle, 7, 0);
    const auto c = ct::epoch_order(labels, ct::Sampling::shuffle, 7, 1);
    const auto d = ct::epoch_order(labels, ct::Sampling::shuffle, 8, 0);
    CHECK(a == b);
    CHECK(a != c);
    CHECK(a != d);
    auto sorted = a;
    std::sort(sorted.begin(), sorted.end());
    CHECK((sorted == std::vector<std::size_t>{0, 1, 2, 3, 4, 6, 7, 8, 9}));
    CHECK((ct::epoch_order(labels, ct::Sampling::sequential, 7, 3) == std::vector<std::size_t>{0, 1, 2, 3, 4, 6, 7, 8, 9}));
}

TEST_CASE("epoch_order: class_balanced draws every class equally often, cycling through each class") {
    // class 0: 12 samples, class 1: 3, class 2: 1
    std::vector<std::int64_t> labels(16, 0);
    labels[12] = labels[13] = labels[14] = 1;
    labels[15] = 2;
    const auto order = ct::epoch_order(labels, ct::Sampling::class_balanced, 3, 5);
    REQUIRE(order.size() == 16);
    std::map<std::int64_t, int> per_class;
    std::map<std::size_t, int> per_sample;
    for (auto i : order) {
        ++per_class[labels[i]];
        ++per_sample[i];
    }
    for (auto& [k, n] : per_class) CHECK(std::abs(n - 16 / 3) <= 1);
    // the single class-2 sample is drawn every time class 2 comes up; class-1 samples equally (±1)
    CHECK(per_sample[15] == per_class[2]);
    for (std::size_t i : {12u, 13u, 14u}) CHECK(std::abs(per_sample[i] - per_class[1] / 3) <= 1);
    // class 0 is subsampled without repeats
    for (std::size_t i = 0; i < 12; ++i) CHECK(per_sample[i] <= 1);
}

TEST_CASE("augment: a pure function of the seed; flips, rotations and crops of the right size") {
    auto img = torch::arange(3 * 40 * 50, torch::kFloat32).reshape({3, 40, 50});
    ct::AugmentOptions o;
    o.output_size = 32;
    o.crop_min = 0.6;
    o.crop_max = 0.9;
    const auto a = ct::augment(img, o, 11), b = ct::augment(img, o, 11);
    CHECK((a.sizes() == torch::IntArrayRef{3, 32, 32}));
    CHECK((torch::equal(a, b)));
    int differ = 0;
    for (std::uint64_t s = 0; s < 20; ++s) differ += torch::equal(ct::augment(img, o, s), a) ? 0 : 1;
    CHECK(differ >= 18);
    // without crops or resizing, every view is one of the 8 symmetries of the largest square
    ct::AugmentOptions sym;
    auto sq = torch::arange(3 * 6 * 6, torch::kFloat32).reshape({3, 6, 6});
    std::set<std::vector<float>> seen;
    for (std::uint64_t s = 0; s < 200; ++s) {
        auto v = ct::augment(sq, sym, s);
        REQUIRE(v.sizes() == sq.sizes());
        CHECK(v.sum().item<float>() == doctest::Approx(sq.sum().item<float>()));
        seen.insert(std::vector<float>(v.data_ptr<float>(), v.data_ptr<float>() + v.numel()));
    }
    CHECK(seen.size() == 8);
    const auto ev = ct::evaluation_view(img, o);
    CHECK((ev.sizes() == torch::IntArrayRef{3, 32, 32}));
    C2S_CHECK_THROWS_WITH_SUBSTR((void)ct::augment(img, ct::AugmentOptions{0, 0.5, 0.4}, 1), std::invalid_argument,
                                 "crop fractions [0.5, 0.4]");
}

TEST_CASE("EpochLoader: the batches do not depend on loader threads or prefetch; first_batch resumes inside an epoch") {
    const auto data = ramp_images(23, 12, 14, 3);
    std::vector<std::size_t> order(23);
    std::iota(order.begin(), order.end(), 0);
    std::reverse(order.begin(), order.end());
    ct::EpochLoaderOptions o;
    o.batch_size = 5;
    o.seed = 99;
    o.epoch = 2;
    o.augmentation.output_size = 8;
    o.augmentation.crop_min = 0.5;
    auto collect = [&](int threads, std::size_t prefetch, std::size_t first) {
        auto oo = o;
        oo.num_threads = threads;
        oo.prefetch = prefetch;
        oo.first_batch = first;
        ct::EpochLoader<ct::MemoryDataset> loader(data, order, oo);
        std::vector<ct::Batch> out;
        while (auto b = loader.next()) out.push_back(*b);
        return out;
    };
    const auto one = collect(1, 0, 0), three = collect(3, 2, 0), resumed = collect(2, 1, 2);
    REQUIRE(one.size() == 5);
    REQUIRE(three.size() == 5);
    REQUIRE(resumed.size() == 3);
    CHECK(one.back().images.size(0) == 3);
    for (std::size_t b = 0; b < one.size(); ++b) {
        CHECK((torch::equal(one[b].images, three[b].images)));
        CHECK((torch::equal(one[b].labels, three[b].labels)));
        CHECK(one[b].rows == three[b].rows);
    }
    for (std::size_t b = 0; b < resumed.size(); ++b) CHECK(torch::equal(one[b + 2].images, resumed[b].images));
    CHECK((one[0].rows == std::vector<std::size_t>{22, 21, 20, 19, 18}));
}

TEST_CASE("to_memory: decodes a source once, in position order, with any number of threads") {
    const auto data = ramp_images(9, 4, 4, 2);
    const auto a = ct::to_memory(data, {}, 1), b = ct::to_memory(data, {}, 3);
    REQUIRE(a.size() == 9);
    for (std::size_t i = 0; i < 9; ++i) CHECK(torch::equal(a.get(i).image, b.get(i).image));
    const std::vector<std::size_t> some{7, 2};
    const auto c = ct::to_memory(data, some, 2);
    CHECK((c.rows() == std::vector<std::size_t>{7, 2}));
    CHECK((c.labels() == std::vector<std::int64_t>{1, 0}));
}

TEST_CASE("glob patterns: module prefixes, wildcards, and a pattern that matches nothing is an error naming it") {
    CHECK((ct::glob_match("Mixed_7*", "Mixed_7b")));
    CHECK((ct::glob_match("*.bn", "Mixed_7b.branch1x1.bn")));
    CHECK((ct::glob_match("a?c", "abc")));
    CHECK_FALSE(ct::glob_match("a?c", "ac"));
    CHECK((ct::matches_module_pattern("Mixed_7b", "Mixed_7b.branch1x1.conv.weight")));
    CHECK_FALSE(ct::matches_module_pattern("Mixed_7", "Mixed_7b.branch1x1.conv.weight"));
    CHECK((ct::matches_module_pattern("*.bn", "Mixed_7b.branch1x1.bn.weight")));
    cv::InceptionV3 m(cv::InceptionV3Options{12, true});
    CHECK((ct::match_parameters(*m, "fc").size() == 2));
    CHECK((ct::match_parameters(*m, "AuxLogits.fc").size() == 2));
    const auto n7 = ct::match_parameters(*m, "Mixed_7*").size();
    CHECK(n7 == ct::match_parameters(*m, "Mixed_7a").size() + ct::match_parameters(*m, "Mixed_7b").size() +
                    ct::match_parameters(*m, "Mixed_7c").size());
    C2S_CHECK_THROWS_WITH_SUBSTR(ct::set_trainable(*m, {"fc", "Mixed_8b"}), std::invalid_argument,
                                 "trainable pattern 'Mixed_8b' matches no parameter of the model");
    CHECK((ct::set_trainable(*m, {"fc", "Mixed_7c"}) == 2 + ct::match_parameters(*m, "Mixed_7c").size()));
    for (const auto& p : m->named_parameters())
        CHECK(p.value().requires_grad() == (p.key().starts_with("fc.") || p.key().starts_with("Mixed_7c.")));
    // batch norm of frozen blocks stays in evaluation mode; open blocks' BN trains
    const auto frozen_bn = ct::train_mode_respecting_frozen(*m);
    std::size_t total_bn = 0, open_bn = 0;
    for (const auto& item : m->named_modules()) {
        if (!ct::is_batch_norm(*item.value())) continue;
        ++total_bn;
        const bool open = item.key().starts_with("Mixed_7c.");
        open_bn += open ? 1 : 0;
        CHECK(item.value()->is_training() == open);
    }
    CHECK(frozen_bn == total_bn - open_bn);
    CHECK(open_bn == 9);
    CHECK(m->fc->is_training());
}

TEST_CASE("make_optimizer: parameter groups by pattern with their own lr and weight decay; bad values are named") {
    cv::SmallCnn m(cv::SmallCnnOptions{5, 4});
    ct::OptimizerOptions o;
    o.kind = ct::OptimizerKind::sgd;
    o.lr = 0.1;
    o.weight_decay = 1e-4;
    o.groups = {{"fc", 0.5, 0.0}, {"block1", std::nullopt, 1e-2}};
    auto bundle = ct::make_optimizer(*m, o);
    REQUIRE(bundle.optimizer->param_groups().size() == 3);
    CHECK((bundle.group_names == std::vector<std::string>{"fc", "block1", "default"}));
    CHECK((bundle.base_lr == std::vector<double>{0.5, 0.1, 0.1}));
    auto& g = bundle.optimizer->param_groups();
    CHECK(static_cast<torch::optim::SGDOptions&>(g[0].options()).weight_decay() == 0.0);
    CHECK(static_cast<torch::optim::SGDOptions&>(g[1].options()).weight_decay() == 1e-2);
    CHECK(static_cast<torch::optim::SGDOptions&>(g[2].options()).weight_decay() == 1e-4);
    CHECK(g[0].params().size() == 2);
    ct::set_lr_factor(bundle, 0.5);
    CHECK(g[0].options().get_lr() == 0.25);
    CHECK(g[2].options().get_lr() == 0.05);
    o.groups = {{"head", 1.0, {}}};
    C2S_CHECK_THROWS_WITH_SUBSTR((void)ct::make_optimizer(*m, o), std::invalid_argument,
                                 "parameter-group pattern 'head' matches no parameter");
    o.groups.clear();
    o.lr = -1;
    C2S_CHECK_THROWS_WITH_SUBSTR((void)ct::make_optimizer(*m, o), std::invalid_argument, "'lr' is -1");
    CHECK(ct::parse_optimizer("adamw") == ct::OptimizerKind::adamw);
    C2S_CHECK_THROWS_WITH_SUBSTR((void)ct::parse_optimizer("rmsprop"), std::invalid_argument, "'rmsprop' is not an optimizer");
}

TEST_CASE("schedules: step, cosine with warm-up, plateau (values from their closed forms)") {
    ct::ScheduleOptions step;
    step.kind = ct::ScheduleKind::step;
    step.step_size = 3;
    step.gamma = 0.5;
    ct::LearningRateSchedule s(step, 10);
    CHECK(s.factor(0) == 1.0);
    CHECK(s.factor(2) == 1.0);
    CHECK(s.factor(3) == 0.5);
    CHECK(s.factor(7) == 0.25);
    ct::ScheduleOptions cos;
    cos.kind = ct::ScheduleKind::cosine;
    cos.warmup_epochs = 2;
    cos.min_factor = 0.1;
    ct::LearningRateSchedule c(cos, 12);
    CHECK(c.factor(0) == doctest::Approx(1.0 / 3));
    CHECK(c.factor(1) == doctest::Approx(2.0 / 3));
    CHECK(c.factor(2) == doctest::Approx(1.0));
    CHECK(c.factor(7) == doctest::Approx(0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * 0.5))));
    CHECK(c.factor(11) == doctest::Approx(0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * 0.9))));
    ct::ScheduleOptions pl;
    pl.kind = ct::ScheduleKind::plateau;
    pl.plateau_patience = 1;
    pl.plateau_factor = 0.5;
    ct::LearningRateSchedule p(pl, 20);
    for (double v : {0.5, 0.6, 0.6, 0.6}) p.observe(v, true);  // two epochs without improvement > patience
    CHECK(p.factor(4) == 0.5);
    p.observe(0.7, true);
    p.observe(0.7, true);
    CHECK(p.factor(6) == 0.5);
    const auto st = p.state();
    ct::LearningRateSchedule q(pl, 20);
    q.restore(st);
    q.observe(0.7, true);
    p.observe(0.7, true);
    CHECK(q.factor(0) == p.factor(0));
    CHECK(p.factor(0) == 0.25);
    C2S_CHECK_THROWS_WITH_SUBSTR(ct::LearningRateSchedule(cos, 2), std::invalid_argument, "'warmup_epochs' is 2");
}

TEST_CASE("metrics: the mean loss weights each batch by its size; accuracy, per-class accuracy and confusion") {
    ct::MetricAccumulator acc(3);
    // batch of 4 with mean loss 1.0, then a batch of 1 with loss 6.0: mean over samples = 2.0
    auto logits4 = torch::tensor({{3.0, 0.0, 0.0}, {0.0, 3.0, 0.0}, {0.0, 0.0, 3.0}, {3.0, 0.0, 0.0}});
    acc.add(1.0, logits4, torch::tensor({0, 1, 1, 2}, torch::kInt64));
    acc.add(6.0, torch::tensor({{0.0, 0.0, 1.0}}), torch::tensor({2}, torch::kInt64));
    const auto m = acc.result();
    CHECK(m.samples == 5);
    CHECK(m.loss == doctest::Approx(2.0));
    CHECK(m.accuracy == doctest::Approx(3.0 / 5));
    CHECK(m.per_class_accuracy[0] == 1.0);
    CHECK(m.per_class_accuracy[1] == 0.5);
    CHECK(m.per_class_accuracy[2] == 0.5);
    CHECK(m.balanced_accuracy == doctest::Approx(2.0 / 3));
    CHECK(m.confusion[1][2] == 1);
    CHECK(m.confusion[2][0] == 1);
    CHECK(m.confusion[2][2] == 1);
    C2S_CHECK_THROWS_WITH_SUBSTR(acc.add(0.0, logits4, torch::tensor({0, 1, 5, 2}, torch::kInt64)), std::invalid_argument,
                                 "label 5 is outside [0, 3)");
}

TEST_CASE("checkpoints: model, optimizer and state round-trip exactly; damaged files fail naming the file") {
    c2s::test::TempDir dir;
    cv::SmallCnn m(cv::SmallCnnOptions{4, 4});
    auto bundle = ct::make_optimizer(*m, ct::OptimizerOptions{});
    auto x = torch::randn({2, 3, 16, 16});
    m->forward(x).sum().backward();
    bundle.optimizer->step();
    ct::TrainState st;
    st.epoch = 3;
    st.batches_done = 7;
    st.best_metric = 0.625;
    st.best_epoch = 2;
    st.epochs_without_improvement = 1;
    st.schedule = {0.5, 0.7, 1};
    ct::MetricAccumulator acc(4);
    acc.add(1.5, torch::eye(4), torch::tensor({0, 1, 3, 3}, torch::kInt64));
    st.running = acc.state();
    st.generator_state = at::detail::getDefaultCPUGenerator().get_state();
    ct::EpochRecord r;
    r.epoch = 2;
    r.lr = 1e-4;
    r.train = acc.result();
    r.seconds = 1.25;
    st.history = {r};
    st.kept = {{2, 0.625}, {0, 0.5}};
    const auto path = dir / "ck" / "last.pt";
    ct::save_checkpoint(path, *m, *bundle.optimizer, st);
    CHECK(c2s::test::count_files(dir / "ck") == 1);  // no temporary left

    cv::SmallCnn m2(cv::SmallCnnOptions{4, 4});
    auto bundle2 = ct::make_optimizer(*m2, ct::OptimizerOptions{});
    const auto back = ct::load_checkpoint(path, m2.ptr().get(), bundle2.optimizer.get());
    for (const auto& p : m->named_parameters()) CHECK(torch::equal(p.value(), m2->named_parameters()[p.key()]));
    for (const auto& p : m->named_buffers()) CHECK(torch::equal(p.value(), m2->named_buffers()[p.key()]));
    CHECK(back.epoch == 3);
    CHECK(back.batches_done == 7);
    CHECK(back.best_metric == 0.625);
    CHECK(back.schedule.plateau_factor == 0.5);
    CHECK(back.running.confusion == st.running.confusion);
    CHECK((torch::equal(back.generator_state, st.generator_state)));
    REQUIRE(back.history.size() == 1);
    CHECK(back.history[0].train.confusion == r.train.confusion);
    CHECK(back.history[0].seconds == 1.25);
    CHECK(back.kept == st.kept);
    // the optimizer state came back: one more identical step gives identical weights
    ct::clear_gradients(*m);
    torch::manual_seed(5);  // same dropout masks on both sides
    m->forward(x).sum().backward();
    torch::manual_seed(5);
    m2->forward(x).sum().backward();
    bundle.optimizer->step();
    bundle2.optimizer->step();
    for (const auto& p : m->named_parameters()) CHECK(torch::equal(p.value(), m2->named_parameters()[p.key()]));

    c2s::test::write_text(dir / "bad.pt", "not a checkpoint");
    C2S_CHECK_THROWS_WITH_SUBSTR((void)ct::load_checkpoint(dir / "bad.pt", m2.ptr().get(), nullptr), std::runtime_error,
                                 "cannot read checkpoint '");
    C2S_CHECK_THROWS_WITH_SUBSTR((void)ct::load_checkpoint(dir / "none.pt", m2.ptr().get(), nullptr), std::runtime_error,
                                 "does not exist");
    cv::SmallCnn other(cv::SmallCnnOptions{4, 8});
    C2S_CHECK_THROWS_WITH_SUBSTR((void)ct::load_checkpoint(path, other.ptr().get(), nullptr), std::runtime_error,
                                 "written by another model");
}
