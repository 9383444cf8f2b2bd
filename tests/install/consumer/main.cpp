// Uses the installed headers: loads BBBC021 and prints the official counts.
#include <c2s/c2s.hpp>

#include <iostream>

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    const auto ds = c2s::data::bbbc021::load(argv[1]);
    const auto& s = ds.summary;
    std::cout << "treatments=" << s.treatments << " compounds=" << s.compounds << " moas=" << s.moas << "\n";
    return 0;
}
