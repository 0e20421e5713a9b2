// The seed text's "The capital of France is" example, shared by the sampler
// tests (tests/sampler/data/capital_of_france.json holds the same numbers for
// the CLI).
#pragma once

#include <string>
#include <vector>

namespace sluice_test {

inline const std::vector<std::string> kFranceTokens = {" Paris", " a",        " the",    " located",  " known",
                                                       " one",   " arguably", " France", " probably", " home"};
inline const std::vector<float> kFranceLogits = {7.0f, 5.6f, 5.1f, 4.3f, 3.9f, 3.2f, 2.1f, 1.8f, 1.5f, 1.2f};

}  // namespace sluice_test
