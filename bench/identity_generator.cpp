#include "identity_generator.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <utility>

#include "demo/demo_generator.hpp"

namespace p360::bench {
namespace {

constexpr std::string_view kGivenNames[] = {
    "James",      "Mary",     "Robert",    "Patricia", "John",      "Jennifer",  "Michael",
    "Linda",      "David",    "Elizabeth", "William",  "Barbara",   "Richard",   "Susan",
    "Joseph",     "Jessica",  "Thomas",    "Sarah",    "Charles",   "Karen",     "Christopher",
    "Lisa",       "Daniel",   "Nancy",     "Matthew",  "Betty",     "Anthony",   "Margaret",
    "Mark",       "Sandra",   "Donald",    "Ashley",   "Steven",    "Kimberly",  "Paul",
    "Emily",      "Andrew",   "Donna",     "Joshua",   "Michelle",  "Kenneth",   "Carol",
    "Kevin",      "Amanda",   "Brian",     "Melissa",  "George",    "Deborah",   "Timothy",
    "Stephanie",  "Ronald",   "Rebecca",   "Edward",   "Sharon",    "Jason",     "Laura",
    "Jeffrey",    "Cynthia",  "Ryan",      "Kathleen", "Jacob",     "Amy",       "Gary",
    "Angela",     "Nicholas", "Shirley",   "Eric",     "Anna",      "Jonathan",  "Brenda",
    "Stephen",    "Pamela",   "Larry",     "Emma",     "Justin",    "Nicole",    "Scott",
    "Helen",      "Brandon",  "Samantha",  "Benjamin", "Katherine", "Samuel",    "Christine",
    "Gregory",    "Debra",    "Alexander", "Rachel",   "Frank",     "Carolyn",   "Patrick",
    "Janet",      "Raymond",  "Catherine", "Jack",     "Maria",     "Dennis",    "Heather",
    "Jerry",      "Diane",    "Tyler",     "Ruth",     "Aaron",     "Julie",     "Jose",
    "Olivia",     "Adam",     "Joyce",     "Nathan",   "Virginia",  "Henry",     "Victoria",
    "Douglas",    "Kelly",    "Zachary",   "Lauren",   "Peter",     "Christina", "Kyle",
    "Joan",       "Ethan",    "Evelyn",    "Walter",   "Judith",    "Noah",      "Megan",
    "Jeremy",     "Andrea",   "Christian", "Cheryl",   "Keith",     "Hannah",    "Roger",
    "Jacqueline", "Terry",    "Martha",    "Gerald",   "Gloria",    "Harold",    "Teresa",
    "Sean",       "Ann",      "Austin",    "Sara",     "Carl",      "Madison",   "Arthur",
    "Frances",    "Lawrence", "Kathryn",   "Dylan",    "Janice",    "Jesse",     "Jean",
    "Jordan",     "Abigail",  "Bryan",     "Alice",    "Billy",     "Judy",      "Bruce",
    "Sophia",     "Gabriel",  "Grace",     "Logan",    "Denise",    "Albert",    "Amber",
    "Willie",     "Doris",    "Alan",      "Marilyn",  "Juan",      "Danielle",  "Wayne",
    "Beverly",    "Elijah",   "Isabella",  "Randy",    "Theresa",   "Roy",       "Diana",
    "Vincent",    "Natalie",  "Ralph",     "Brittany", "Eugene",    "Charlotte", "Russell",
    "Marie",      "Bobby",    "Kayla",     "Mason",    "Alexis",    "Philip",    "Lori",
};

constexpr std::string_view kStems[] = {
    "Ash",   "Black", "Brad", "Brook", "Cald", "Carl",  "Craw", "Dal",   "Dun",
    "Eller", "Fair",  "Gold", "Hart",  "Hol",  "Kings", "Lang", "Mar",   "Mid",
    "Nor",   "Pem",   "Red",  "Ring",  "Rut",  "Stan",  "Sut",  "Thorn", "Wal",
    "Whit",  "Win",   "Ald",  "Bel",   "Bur",  "Chad",  "Hay",
};
constexpr std::string_view kEndings[] = {
    "ford",  "ton",   "ley",   "wood", "field", "well", "by",    "more",
    "ridge", "worth", "stead", "ham",  "wick",  "dale", "brook", "man",
    "son",   "bury",  "cott",  "land", "mont",  "shaw", "er",    "ing",
};
constexpr std::string_view kSyllables[] = {
    "ka",  "ro", "mi",  "la",  "ven", "dor", "sa", "ti",  "bel", "gar",
    "ni",  "zo", "pa",  "qui", "ler", "mon", "ta", "vi",  "ru",  "ke",
    "sol", "ba", "den", "fi",  "ho",  "ja",  "lu", "mer", "no",  "ri",
};

struct City {
    std::string_view name;
    std::string_view state;
    int zip;
    int area_code;
};
constexpr City kCities[] = {
    {"New York", "NY", 10001, 212},     {"Los Angeles", "CA", 90012, 213},
    {"Chicago", "IL", 60601, 312},      {"Houston", "TX", 77002, 713},
    {"Phoenix", "AZ", 85004, 602},      {"Philadelphia", "PA", 19102, 215},
    {"San Antonio", "TX", 78205, 210},  {"San Diego", "CA", 92101, 619},
    {"Dallas", "TX", 75201, 214},       {"San Jose", "CA", 95113, 408},
    {"Austin", "TX", 78701, 512},       {"Jacksonville", "FL", 32202, 904},
    {"Columbus", "OH", 43215, 614},     {"Charlotte", "NC", 28202, 704},
    {"Indianapolis", "IN", 46204, 317}, {"Seattle", "WA", 98101, 206},
    {"Denver", "CO", 80202, 303},       {"Boston", "MA", 2108, 617},
    {"Nashville", "TN", 37203, 615},    {"Detroit", "MI", 48226, 313},
    {"Portland", "OR", 97204, 503},     {"Memphis", "TN", 38103, 901},
    {"Louisville", "KY", 40202, 502},   {"Baltimore", "MD", 21202, 410},
    {"Milwaukee", "WI", 53202, 414},    {"Albuquerque", "NM", 87102, 505},
    {"Tucson", "AZ", 85701, 520},       {"Fresno", "CA", 93721, 559},
    {"Sacramento", "CA", 95814, 916},   {"Atlanta", "GA", 30303, 404},
    {"Omaha", "NE", 68102, 402},        {"Raleigh", "NC", 27601, 919},
    {"Miami", "FL", 33130, 305},        {"Minneapolis", "MN", 55401, 612},
    {"Tulsa", "OK", 74103, 918},        {"Cleveland", "OH", 44113, 216},
    {"Wichita", "KS", 67202, 316},      {"Tampa", "FL", 33602, 813},
    {"Pittsburgh", "PA", 15222, 412},   {"Cincinnati", "OH", 45202, 513},
};
constexpr std::string_view kStreets[] = {
    "Main",     "Oak",    "Maple",  "Cedar",  "Elm",      "Washington", "Lake",    "Hill",
    "Park",     "Pine",   "Walnut", "Sunset", "Lincoln",  "Highland",   "Madison", "Church",
    "Spring",   "Ridge",  "Meadow", "River",  "Franklin", "Chestnut",   "Willow",  "Forest",
    "Jackson",  "Center", "Mill",   "Union",  "Prospect", "Hickory",    "Birch",   "Dogwood",
    "Magnolia", "Adams",  "Cherry", "Poplar", "Laurel",   "Valley",     "Broad",   "Jefferson",
};
constexpr std::string_view kSuffixes[] = {"Street", "Avenue",    "Road", "Drive", "Lane",
                                          "Court",  "Boulevard", "Way",  "Place", "Terrace"};
constexpr std::pair<std::string_view, std::string_view> kNicknames[] = {
    {"William", "Bill"},      {"Robert", "Bob"},     {"James", "Jim"},      {"Michael", "Mike"},
    {"Richard", "Rick"},      {"Joseph", "Joe"},     {"Thomas", "Tom"},     {"Elizabeth", "Liz"},
    {"Margaret", "Peggy"},    {"Katherine", "Kate"}, {"Jennifer", "Jen"},   {"Daniel", "Dan"},
    {"Christopher", "Chris"}, {"Susan", "Sue"},      {"Patricia", "Patty"}, {"Anthony", "Tony"},
};

template <typename T, std::size_t N>
const T& Pick(const T (&list)[N], Random& random) {
    return list[random.Below(static_cast<int>(N))];
}

// Skewed towards the front of the list, like real name frequencies.
template <typename T, std::size_t N>
const T& PickSkewed(const T (&list)[N], Random& random) {
    const int first = random.Below(static_cast<int>(N));
    const int second = random.Below(static_cast<int>(N));
    return list[std::min(first, second)];
}

std::string Digits(Random& random, int count) {
    std::string digits;
    for (int i = 0; i < count; ++i) {
        digits.push_back(static_cast<char>('0' + random.Below(10)));
    }
    return digits;
}

std::string Padded(int value, int width) {
    std::string text = std::to_string(value);
    return std::string(static_cast<std::size_t>(std::max(0, width - static_cast<int>(text.size()))),
                       '0') +
           text;
}

std::string Surname(Random& random) {
    const int kind = random.Below(4);
    if (kind == 0) {
        // The demo's surnames, most frequent first: skewed picks make some very common.
        const auto surnames = demo::Surnames();
        const int first = random.Below(static_cast<int>(surnames.size()));
        const int second = random.Below(static_cast<int>(surnames.size()));
        return std::string(surnames[static_cast<std::size_t>(std::min(first, second))]);
    }
    if (kind == 1) {
        return std::string(Pick(kStems, random)) + std::string(Pick(kEndings, random));
    }
    std::string name;
    const int syllables = 2 + random.Below(2);
    for (int i = 0; i < syllables; ++i) {
        name += Pick(kSyllables, random);
    }
    name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
    return name;
}

void SetAddress(identity::PersonRecord& person, Random& random) {
    const City& city = Pick(kCities, random);
    person.street = std::to_string(1 + random.Below(9899)) + " " +
                    std::string(Pick(kStreets, random)) + " " +
                    std::string(Pick(kSuffixes, random));
    person.city = city.name;
    person.state = city.state;
    person.postal_code = Padded(city.zip + random.Below(60), 5);
    person.phone = std::to_string(city.area_code) + Digits(random, 7);
}

// One keyboard-style slip: a letter replaced, dropped, doubled or swapped with the next.
std::string Typo(std::string text, Random& random) {
    if (text.size() < 3) {
        return text;
    }
    const auto at = static_cast<std::size_t>(1 + random.Below(static_cast<int>(text.size()) - 2));
    switch (random.Below(4)) {
        case 0:
            text[at] = static_cast<char>('a' + random.Below(26));
            break;
        case 1:
            text.erase(at, 1);
            break;
        case 2:
            text.insert(at, 1, text[at]);
            break;
        default:
            std::swap(text[at], text[at + 1]);
            break;
    }
    return text;
}

std::string BirthDateTypo(std::string date, Random& random) {
    if (date.size() != 10) {
        return date;
    }
    if (random.Chance(0.5) && date.substr(8, 2) <= "12") {
        std::swap(date[5], date[8]);  // day and month swapped
        std::swap(date[6], date[9]);
        return date;
    }
    const std::size_t positions[] = {2, 3, 6, 9};  // a year, month or day digit wrong
    const std::size_t at = positions[random.Below(4)];
    date[at] = static_cast<char>('0' + random.Below(10));
    return date;
}

}  // namespace

std::uint64_t Random::Next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

namespace {

// Entities live in blocks of four consecutive numbers; a block is one household of 2–4 of
// them (the first ones) or four people living alone. A household shares its address and
// phone and mostly its family name; its members have their own given names, birth dates
// (two adults of about one age, children twenty-odd years younger) and SSNs.
void JoinHousehold(identity::PersonRecord& person, std::uint64_t entity, Random& own) {
    const std::uint64_t block = entity / 4;
    const auto member = static_cast<int>(entity % 4);
    Random home(block * 15485863 + 5);
    const int size = 1 + home.Below(4);
    if (size < 2 || member >= size) {
        return;
    }
    SetAddress(person, home);
    const std::string family = Surname(home);
    if (home.Chance(0.8) || member >= 2) {
        person.family_name = family;
    }
    const int head_year = 1940 + home.Below(55);
    const int year = member == 0   ? head_year
                     : member == 1 ? head_year - 6 + home.Below(13)
                                   : head_year + 22 + own.Below(15);
    person.birth_date = std::to_string(std::min(year, 2023)) + person.birth_date.substr(4);
}

}  // namespace

identity::PersonRecord EntityPerson(std::uint64_t entity) {
    Random random(entity * 7919 + 1);
    identity::PersonRecord person;
    person.record_id = "e" + std::to_string(entity);
    person.given_name = PickSkewed(kGivenNames, random);
    person.family_name = Surname(random);
    person.birth_date = std::to_string(1930 + random.Below(94)) + "-" +
                        Padded(1 + random.Below(12), 2) + "-" + Padded(1 + random.Below(28), 2);
    person.sex = random.Chance(0.5) ? "F" : "M";
    SetAddress(person, random);
    JoinHousehold(person, entity, random);
    person.email = person.given_name.substr(0, 1) + person.family_name +
                   std::to_string(random.Below(1000)) + "@example.com";
    person.national_id = std::to_string(100 + random.Below(800)) + Digits(random, 6);
    return person;
}

int RecordCount(std::uint64_t entity) {
    Random random(entity * 104729 + 3);
    const int roll = random.Below(100);
    return roll < 60 ? 1 : roll < 80 ? 2 : roll < 92 ? 3 : 4;
}

identity::PersonRecord WithSourceErrors(identity::PersonRecord person, Random& random) {
    if (random.Chance(0.12)) {
        for (const auto& [full, nickname] : kNicknames) {
            if (person.given_name == full) {
                person.given_name = nickname;
            }
        }
    }
    if (random.Chance(0.10)) {
        person.given_name = Typo(person.given_name, random);
    }
    if (random.Chance(0.10)) {
        person.family_name = Typo(person.family_name, random);
    }
    if (random.Chance(0.02)) {
        std::swap(person.given_name, person.family_name);
    }
    if (random.Chance(0.08)) {
        person.birth_date = BirthDateTypo(person.birth_date, random);
    }
    if (random.Chance(0.15)) {
        SetAddress(person, random);  // moved: new address and phone
    }
    if (random.Chance(0.05)) {
        person.family_name += " Jr";
    }
    if (random.Chance(0.3)) {
        std::transform(person.family_name.begin(), person.family_name.end(),
                       person.family_name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    }
    const auto maybe_drop = [&](std::string& field, double probability) {
        if (random.Chance(probability)) {
            field.clear();
        }
    };
    maybe_drop(person.email, 0.4);
    maybe_drop(person.phone, 0.2);
    maybe_drop(person.national_id, 0.4);
    maybe_drop(person.street, 0.1);
    maybe_drop(person.sex, 0.1);
    maybe_drop(person.given_name, 0.02);
    return person;
}

}  // namespace p360::bench
