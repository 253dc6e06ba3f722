// The synthetic payer generator (see demo_generator.hpp).
//
// How the world is built:
// - Reference data comes first: the payer and its employer groups (Account), networks, plans
//   with their benefits, providers with their locations. Only their record ids (and, for
//   providers, kind and city) stay in memory for the rest of the run.
// - Members then come household by household, in chunks of about `batch_size` people. For each
//   chunk everything about those people is drafted in memory (household, people, coverage,
//   claims and lines, conditions, medications, cases, interactions), written parents first so
//   that every reference names an id returned by an earlier upsert, and then forgotten. Memory
//   stays flat however many members are asked for.
// - Every random choice comes from a std::mt19937_64 seeded from the options' seed and the
//   position of what is drawn (a stream and an index), so household 12 is the same whatever the
//   batch size. No std:: distribution is used (their output differs between standard
//   libraries), and dates are relative to the fixed kReferenceDate, never to the clock.
// - External ids embed the seed ("demo-360-per-17"): rerunning a seed upserts its own world
//   unchanged, and another seed adds a separate world beside it.
//
// Four standard objects have no external-id field to upsert on: Benefit, ProviderLocation,
// HouseholdMember and ClaimLine. The generator keys them by `sourceId` and writes them only when
// the catalog declares that field as an external id; otherwise it skips them (BulkUpsert refuses
// the key field before touching any line) and leaves them out of the summary.
#include "demo/demo_generator.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "core/time_format.hpp"

namespace p360::demo {
namespace {

namespace json = boost::json;

// ---------------------------------------------------------------------------------------------
// Randomness

// SplitMix64's finaliser: spreads a seed and an index over all 64 bits.
std::uint64_t Mix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

// Independent sequences drawn from one seed.
enum class Stream : std::uint64_t { kWorld = 1, kGroup, kProvider, kHousehold, kBenchPerson };

std::uint64_t StreamSeed(std::uint64_t seed, Stream stream, std::uint64_t index) {
    return Mix64(Mix64(seed ^ Mix64(static_cast<std::uint64_t>(stream))) ^ Mix64(index));
}

// std::mt19937_64 with portable draws (no std:: distributions; see the file comment).
class Random {
public:
    explicit Random(std::uint64_t seed) : engine_(seed) {}

    // A whole number in [low, high]; `high` >= `low`.
    std::int64_t Between(std::int64_t low, std::int64_t high) {
        const auto span = static_cast<std::uint64_t>(high - low) + 1;
        return low + static_cast<std::int64_t>(engine_() % span);
    }
    int Int(int low, int high) { return static_cast<int>(Between(low, high)); }
    std::size_t Index(std::size_t size) { return static_cast<std::size_t>(engine_() % size); }
    double Unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
    bool Chance(double probability) { return Unit() < probability; }

    template <typename T, std::size_t N>
    const T& Pick(const T (&items)[N]) {
        return items[Index(N)];
    }

    // An index into `weights`, drawn in proportion to them.
    std::size_t Weighted(std::initializer_list<int> weights) {
        int total = 0;
        for (int weight : weights) {
            total += weight;
        }
        int roll = Int(0, total - 1);
        std::size_t index = 0;
        for (int weight : weights) {
            if (roll < weight) {
                return index;
            }
            roll -= weight;
            ++index;
        }
        return weights.size() - 1;
    }

    // Knuth's method; fine for the small means used here.
    int Poisson(double mean) {
        const double limit = std::exp(-mean);
        int count = 0;
        double product = Unit();
        while (product > limit) {
            ++count;
            product *= Unit();
        }
        return count;
    }

private:
    std::mt19937_64 engine_;
};

// ---------------------------------------------------------------------------------------------
// Dates and text

using Day = std::int64_t;      // days since 1970-01-01
using Instant = std::int64_t;  // seconds since 1970-01-01T00:00:00Z

struct Civil {
    int year;
    unsigned month;
    unsigned day;
};

// Howard Hinnant's civil_from_days.
Civil CivilFromDays(Day days) {
    days += 719468;
    const Day era = (days >= 0 ? days : days - 146096) / 146097;
    const auto doe = static_cast<unsigned>(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const Day year = static_cast<Day>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned day = doy - (153 * mp + 2) / 5 + 1;
    const unsigned month = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<int>(year + (month <= 2 ? 1 : 0)), month, day};
}

Day DayOf(int year, unsigned month, unsigned day) { return DaysFromCivil(year, month, day); }

// All dates are relative to this day, so the same seed always gives the same records.
const Day kReferenceDate = DayOf(2026, 11, 1);
const Day kClaimHistoryStart = kReferenceDate - 730;  // claims cover the last two years
const Day kEarliestCoverage = DayOf(2018, 1, 1);

Day FirstOfMonth(Day day) {
    const Civil civil = CivilFromDays(day);
    return DayOf(civil.year, civil.month, 1);
}

Day AddMonths(Day day, int months) {
    const Civil civil = CivilFromDays(day);
    const int index = civil.year * 12 + static_cast<int>(civil.month) - 1 + months;
    const unsigned month = static_cast<unsigned>(index % 12) + 1;
    return DayOf(index / 12, month, std::min(civil.day, 28U));
}

int MonthsBetween(Day from, Day to) {
    const Civil a = CivilFromDays(from);
    const Civil b = CivilFromDays(to);
    return (b.year - a.year) * 12 + static_cast<int>(b.month) - static_cast<int>(a.month);
}

int AgeOn(Day birth, Day day) {
    const Civil born = CivilFromDays(birth);
    const Civil on = CivilFromDays(day);
    const bool before_birthday =
        on.month < born.month || (on.month == born.month && on.day < born.day);
    return on.year - born.year - (before_birthday ? 1 : 0);
}

// The day someone turns `age`; a 29 February birthday falls on 1 March.
Day Birthday(Day birth, int age) {
    const Civil born = CivilFromDays(birth);
    if (born.month == 2 && born.day == 29) {
        return DayOf(born.year + age, 3, 1);
    }
    return DayOf(born.year + age, born.month, born.day);
}

void AppendPadded(std::string& out, std::uint64_t value, int width) {
    char digits[24];
    int count = 0;
    do {
        digits[count++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (count < width) {
        digits[count++] = '0';
    }
    while (count > 0) {
        out.push_back(digits[--count]);
    }
}

std::string Padded(std::uint64_t value, int width) {
    std::string text;
    AppendPadded(text, value, width);
    return text;
}

void AppendDate(std::string& out, Day day) {
    const Civil civil = CivilFromDays(day);
    AppendPadded(out, static_cast<std::uint64_t>(civil.year), 4);
    out.push_back('-');
    AppendPadded(out, civil.month, 2);
    out.push_back('-');
    AppendPadded(out, civil.day, 2);
}

std::string FormatDay(Day day) {
    std::string text;
    AppendDate(text, day);
    return text;
}

std::string FormatInstant(Instant instant) {
    const Day day = instant / 86400;
    const auto second = static_cast<std::uint64_t>(instant % 86400);
    std::string text;
    AppendDate(text, day);
    text.push_back('T');
    AppendPadded(text, second / 3600, 2);
    text.push_back(':');
    AppendPadded(text, second / 60 % 60, 2);
    text.push_back(':');
    AppendPadded(text, second % 60, 2);
    text.push_back('Z');
    return text;
}

Instant At(Day day, int hour, int minute) {
    return day * 86400 + static_cast<Instant>(hour) * 3600 + static_cast<Instant>(minute) * 60;
}

void AppendLower(std::string& out, std::string_view text) {
    for (char c : text) {
        if (c >= 'A' && c <= 'Z') {
            out.push_back(static_cast<char>(c - 'A' + 'a'));
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            out.push_back(c);
        }
    }
}

double Money(std::int64_t cents) { return static_cast<double>(cents) / 100.0; }

double Coordinate(double degrees) { return std::round(degrees * 1e6) / 1e6; }

// `digits` random decimal digits.
std::string Digits(Random& rng, int digits) {
    std::string text;
    for (int i = 0; i < digits; ++i) {
        text.push_back(static_cast<char>('0' + rng.Int(0, 9)));
    }
    return text;
}

// A short, readable tag of the seed for external ids: the seed itself when it is short.
std::string SeedTag(std::uint64_t seed) {
    if (seed < 100'000'000) {
        return std::to_string(seed);
    }
    std::string tag;
    while (seed != 0) {
        tag.push_back("0123456789abcdefghijklmnopqrstuvwxyz"[seed % 36]);
        seed /= 36;
    }
    tag.push_back('x');
    std::reverse(tag.begin(), tag.end());
    return tag;
}

// ---------------------------------------------------------------------------------------------
// Built-in lists. Names and places are common and public; none is a real person's record.

constexpr std::string_view kFemaleNames[] = {
    "Mary",     "Patricia", "Jennifer", "Linda",     "Elizabeth", "Barbara",   "Susan",
    "Jessica",  "Sarah",    "Karen",    "Lisa",      "Nancy",     "Betty",     "Sandra",
    "Margaret", "Ashley",   "Kimberly", "Emily",     "Donna",     "Michelle",  "Carol",
    "Amanda",   "Melissa",  "Deborah",  "Stephanie", "Rebecca",   "Sharon",    "Laura",
    "Cynthia",  "Dorothy",  "Amy",      "Kathleen",  "Angela",    "Shirley",   "Emma",
    "Brenda",   "Pamela",   "Nicole",   "Anna",      "Samantha",  "Katherine", "Christine",
    "Debra",    "Rachel",   "Carolyn",  "Janet",     "Maria",     "Olivia",    "Heather",
    "Helen",    "Sophia",   "Isabella", "Ava",       "Mia",       "Abigail",   "Madison",
    "Chloe",    "Grace",    "Lucia",    "Camila",
};

constexpr std::string_view kMaleNames[] = {
    "James",    "Robert",      "John",     "Michael",   "David",   "William", "Richard", "Joseph",
    "Thomas",   "Christopher", "Charles",  "Daniel",    "Matthew", "Anthony", "Mark",    "Donald",
    "Steven",   "Andrew",      "Paul",     "Joshua",    "Kenneth", "Kevin",   "Brian",   "Timothy",
    "Ronald",   "George",      "Jason",    "Edward",    "Jeffrey", "Ryan",    "Jacob",   "Nicholas",
    "Gary",     "Eric",        "Jonathan", "Stephen",   "Larry",   "Justin",  "Scott",   "Brandon",
    "Benjamin", "Samuel",      "Gregory",  "Alexander", "Patrick", "Frank",   "Raymond", "Jack",
    "Dennis",   "Jerry",       "Tyler",    "Aaron",     "Jose",    "Adam",    "Nathan",  "Henry",
    "Noah",     "Liam",        "Ethan",    "Luis",
};

constexpr std::string_view kSurnames[] = {
    "Smith",    "Johnson",   "Williams",   "Brown",     "Jones",    "Garcia",   "Miller",
    "Davis",    "Rodriguez", "Martinez",   "Hernandez", "Lopez",    "Gonzalez", "Wilson",
    "Anderson", "Thomas",    "Taylor",     "Moore",     "Jackson",  "Martin",   "Lee",
    "Perez",    "Thompson",  "White",      "Harris",    "Sanchez",  "Clark",    "Ramirez",
    "Lewis",    "Robinson",  "Walker",     "Young",     "Allen",    "King",     "Wright",
    "Scott",    "Torres",    "Nguyen",     "Hill",      "Flores",   "Green",    "Adams",
    "Nelson",   "Baker",     "Hall",       "Rivera",    "Campbell", "Mitchell", "Carter",
    "Roberts",  "Gomez",     "Phillips",   "Evans",     "Turner",   "Diaz",     "Parker",
    "Cruz",     "Edwards",   "Collins",    "Reyes",     "Stewart",  "Morris",   "Morales",
    "Murphy",   "Cook",      "Rogers",     "Gutierrez", "Ortiz",    "Morgan",   "Cooper",
    "Peterson", "Bailey",    "Reed",       "Kelly",     "Howard",   "Ramos",    "Kim",
    "Cox",      "Ward",      "Richardson", "Watson",    "Brooks",   "Chavez",   "Wood",
    "James",    "Bennett",   "Gray",       "Mendoza",   "Ruiz",     "Hughes",   "Price",
    "Alvarez",  "Castillo",  "Sanders",    "Patel",     "Myers",    "Long",     "Ross",
    "Foster",   "Jimenez",
};

// Most people carry a less common surname; stems and endings give about 800 more of them
// (Ashford, Blackwood, Caldwell, …), so an index on lastName stays selective.
constexpr std::string_view kSurnameStems[] = {
    "Ash",   "Black", "Brad", "Brook", "Cald", "Carl",  "Craw", "Dal",   "Dun",
    "Eller", "Fair",  "Gold", "Hart",  "Hol",  "Kings", "Lang", "Mar",   "Mid",
    "Nor",   "Pem",   "Red",  "Ring",  "Rut",  "Stan",  "Sut",  "Thorn", "Wal",
    "Whit",  "Win",   "Ald",  "Bel",   "Bur",  "Chad",  "Hay",
};
constexpr std::string_view kSurnameEndings[] = {
    "ford",  "ton",   "ley",   "wood", "field", "well", "by",    "more",
    "ridge", "worth", "stead", "ham",  "wick",  "dale", "brook", "man",
    "son",   "bury",  "cott",  "land", "mont",  "shaw", "er",    "ing",
};

constexpr std::string_view kStreetNames[] = {
    "Main",    "Oak",      "Maple",  "Cedar",  "Elm",       "Washington", "Lake",     "Hill",
    "Park",    "Pine",     "Walnut", "Sunset", "Jefferson", "Lincoln",    "Highland", "Madison",
    "Church",  "Spring",   "Ridge",  "Meadow", "River",     "Franklin",   "Chestnut", "Willow",
    "Forest",  "Jackson",  "Center", "Mill",   "Union",     "Prospect",   "Hickory",  "Birch",
    "Dogwood", "Magnolia", "Adams",  "Cherry", "Poplar",    "Laurel",     "Valley",   "Broad",
};
constexpr std::string_view kStreetSuffixes[] = {"St", "Ave",  "Rd",  "Dr", "Ln",
                                                "Ct", "Blvd", "Way", "Pl", "Ter"};

struct City {
    std::string_view name;
    std::string_view state;
    std::string_view county;
    int postal_code;  // the first of a small range of ZIP codes
    int area_code;
    double latitude;
    double longitude;
};

constexpr City kCities[] = {
    {"New York", "NY", "New York", 10001, 212, 40.7128, -74.0060},
    {"Los Angeles", "CA", "Los Angeles", 90012, 213, 34.0522, -118.2437},
    {"Chicago", "IL", "Cook", 60601, 312, 41.8781, -87.6298},
    {"Houston", "TX", "Harris", 77002, 713, 29.7604, -95.3698},
    {"Phoenix", "AZ", "Maricopa", 85004, 602, 33.4484, -112.0740},
    {"Philadelphia", "PA", "Philadelphia", 19103, 215, 39.9526, -75.1652},
    {"San Antonio", "TX", "Bexar", 78205, 210, 29.4241, -98.4936},
    {"San Diego", "CA", "San Diego", 92101, 619, 32.7157, -117.1611},
    {"Dallas", "TX", "Dallas", 75201, 214, 32.7767, -96.7970},
    {"Austin", "TX", "Travis", 78701, 512, 30.2672, -97.7431},
    {"Jacksonville", "FL", "Duval", 32202, 904, 30.3322, -81.6557},
    {"Columbus", "OH", "Franklin", 43215, 614, 39.9612, -82.9988},
    {"Charlotte", "NC", "Mecklenburg", 28202, 704, 35.2271, -80.8431},
    {"Indianapolis", "IN", "Marion", 46204, 317, 39.7684, -86.1581},
    {"Seattle", "WA", "King", 98101, 206, 47.6062, -122.3321},
    {"Denver", "CO", "Denver", 80202, 303, 39.7392, -104.9903},
    {"Nashville", "TN", "Davidson", 37203, 615, 36.1627, -86.7816},
    {"Detroit", "MI", "Wayne", 48226, 313, 42.3314, -83.0458},
    {"Boston", "MA", "Suffolk", 2108, 617, 42.3601, -71.0589},
    {"Portland", "OR", "Multnomah", 97204, 503, 45.5152, -122.6784},
    {"Memphis", "TN", "Shelby", 38103, 901, 35.1495, -90.0490},
    {"Louisville", "KY", "Jefferson", 40202, 502, 38.2527, -85.7585},
    {"Baltimore", "MD", "Baltimore City", 21202, 410, 39.2904, -76.6122},
    {"Milwaukee", "WI", "Milwaukee", 53202, 414, 43.0389, -87.9065},
    {"Albuquerque", "NM", "Bernalillo", 87102, 505, 35.0844, -106.6504},
    {"Tucson", "AZ", "Pima", 85701, 520, 32.2226, -110.9747},
    {"Sacramento", "CA", "Sacramento", 95814, 916, 38.5816, -121.4944},
    {"Kansas City", "MO", "Jackson", 64106, 816, 39.0997, -94.5786},
    {"Atlanta", "GA", "Fulton", 30303, 404, 33.7490, -84.3880},
    {"Miami", "FL", "Miami-Dade", 33130, 305, 25.7617, -80.1918},
    {"Raleigh", "NC", "Wake", 27601, 919, 35.7796, -78.6382},
    {"Omaha", "NE", "Douglas", 68102, 402, 41.2565, -95.9345},
    {"Minneapolis", "MN", "Hennepin", 55401, 612, 44.9778, -93.2650},
    {"Tulsa", "OK", "Tulsa", 74103, 918, 36.1540, -95.9928},
    {"Cleveland", "OH", "Cuyahoga", 44113, 216, 41.4993, -81.6944},
    {"Pittsburgh", "PA", "Allegheny", 15222, 412, 40.4406, -79.9959},
    {"St. Louis", "MO", "St. Louis City", 63101, 314, 38.6270, -90.1994},
    {"Tampa", "FL", "Hillsborough", 33602, 813, 27.9506, -82.4572},
    {"Salt Lake City", "UT", "Salt Lake", 84101, 801, 40.7608, -111.8910},
    {"Richmond", "VA", "Richmond City", 23219, 804, 37.5407, -77.4360},
};
constexpr std::size_t kCityCount = std::size(kCities);

struct Address {
    std::string line1;
    std::string line2;
    std::size_t city = 0;
    std::string postal_code;
};

Address RandomAddress(Random& rng, std::size_t city, bool unit_possible) {
    Address address;
    address.city = city;
    address.line1 = std::to_string(rng.Int(1, 9899)) + " " + std::string(rng.Pick(kStreetNames)) +
                    " " + std::string(rng.Pick(kStreetSuffixes));
    if (unit_possible && rng.Chance(0.15)) {
        address.line2 =
            "Apt " + std::to_string(rng.Int(1, 40)) + static_cast<char>('A' + rng.Int(0, 5));
    }
    address.postal_code =
        Padded(static_cast<std::uint64_t>(kCities[city].postal_code + rng.Int(0, 30)), 5);
    return address;
}

// The 555 exchange keeps the numbers out of real use.
std::string Phone(Random& rng, int area_code) {
    std::string text = "(";
    AppendPadded(text, static_cast<std::uint64_t>(area_code), 3);
    text += ") 555-";
    AppendPadded(text, static_cast<std::uint64_t>(rng.Int(0, 9999)), 4);
    return text;
}

std::string Surname(Random& rng) {
    if (rng.Chance(0.35)) {
        return std::string(rng.Pick(kSurnames));
    }
    return std::string(rng.Pick(kSurnameStems)) + std::string(rng.Pick(kSurnameEndings));
}

std::string_view FirstName(Random& rng, bool female) {
    return female ? rng.Pick(kFemaleNames) : rng.Pick(kMaleNames);
}

// SSN-shaped, in the 9xx area that is never issued as an SSN.
std::string Ssn(Random& rng) {
    return "9" + Digits(rng, 2) + "-" + Padded(static_cast<std::uint64_t>(rng.Int(1, 99)), 2) +
           "-" + Padded(static_cast<std::uint64_t>(rng.Int(1, 9999)), 4);
}

// Medicare Beneficiary Identifier shape: C A AN N A AN N A A N N (no S, L, O, I, B, Z).
std::string MedicareId(Random& rng) {
    constexpr std::string_view kLetters = "ACDEFGHJKMNPQRTUVWXY";
    auto letter = [&] { return kLetters[rng.Index(kLetters.size())]; };
    auto digit = [&] { return static_cast<char>('0' + rng.Int(0, 9)); };
    auto either = [&] { return rng.Chance(0.5) ? letter() : digit(); };
    std::string id;
    id.push_back(static_cast<char>('1' + rng.Int(0, 8)));
    id.push_back(letter());
    id.push_back(either());
    id.push_back(digit());
    id.push_back(letter());
    id.push_back(either());
    id.push_back(digit());
    id.push_back(letter());
    id.push_back(letter());
    id.push_back(digit());
    id.push_back(digit());
    return id;
}

// A 10-digit NPI with a valid check digit (Luhn over the "80840" prefix). Indexes map to
// distinct numbers for one seed: the 9-digit base walks a permutation of 100 million values.
std::string Npi(std::uint64_t seed, std::int64_t index) {
    constexpr std::uint64_t kRange = 100'000'000;
    constexpr std::uint64_t kStride = 15'485'863;  // prime, so coprime with kRange
    const std::uint64_t base =
        kRange + (Mix64(seed) % kRange + static_cast<std::uint64_t>(index) * kStride) % kRange;
    std::string npi = std::to_string(base);
    int sum = 24;  // the digits of the 80840 prefix, doubled as Luhn does
    for (std::size_t i = 0; i < npi.size(); ++i) {
        int digit = npi[npi.size() - 1 - i] - '0';
        if (i % 2 == 0) {
            digit *= 2;
            digit = digit > 9 ? digit - 9 : digit;
        }
        sum += digit;
    }
    npi.push_back(static_cast<char>('0' + (10 - sum % 10) % 10));
    return npi;
}

// ---------------------------------------------------------------------------------------------
// Payer, plans, benefits, networks

constexpr std::string_view kBrands[] = {
    "Northwind Health Plan", "Bluewater Health Plan", "Cedar Ridge Health", "Lakeshore Health",
    "Ironwood Health Plan",  "Silver Pine Health",    "Prairie Sky Health", "Harborlight Health",
};

enum class Lob : std::uint8_t { kCommercial, kMarketplace, kMedicareAdvantage, kMedicaid };

constexpr std::string_view LobName(Lob lob) {
    switch (lob) {
        case Lob::kCommercial:
            return "commercial";
        case Lob::kMarketplace:
            return "marketplace";
        case Lob::kMedicareAdvantage:
            return "medicare-advantage";
        case Lob::kMedicaid:
            return "medicaid";
    }
    return "commercial";
}

struct NetworkDef {
    std::string_view key;
    std::string_view name;  // after the brand
    std::string_view type;
    std::string_view lob;
    std::string_view description;
};

constexpr NetworkDef kNetworks[] = {
    {"ppo", "Choice PPO Network", "ppo", "commercial",
     "Broad network for employer and individual plans, with out-of-network benefits."},
    {"medicare", "Medicare Advantage Network", "hmo", "medicare-advantage",
     "Coordinated network for Medicare Advantage members; a primary care provider is required."},
    {"community", "Community Network", "narrow", "medicaid",
     "Narrow network of community health centers and partner hospitals."},
};

struct PlanDef {
    std::string_view key;
    std::string_view name;  // after the brand
    Lob lob;
    std::string_view plan_type;
    std::string_view metal_level;  // empty when not an ACA plan
    int network;
    bool out_of_network_benefits;
    std::int64_t premium_cents;
    std::int64_t deductible;  // dollars, individual in network
    std::int64_t out_of_pocket_max;
    std::int64_t primary_copay;
    std::int64_t specialist_copay;
    std::int64_t urgent_copay;
    std::int64_t emergency_copay;
    int coinsurance;  // percent, in network
    std::string_view description;
};

constexpr PlanDef kPlans[] = {
    {"com-ppo-gold", "Gold PPO", Lob::kCommercial, "ppo", "gold", 0, true, 61200, 1000, 5000, 25,
     50, 75, 350, 20, "Employer group PPO with a low deductible and out-of-network coverage."},
    {"com-hmo-silver", "Silver HMO", Lob::kCommercial, "hmo", "silver", 0, false, 49800, 2500, 7000,
     30, 60, 75, 400, 30, "Employer group HMO; referrals to specialists through the PCP."},
    {"com-hdhp-bronze", "Bronze HDHP", Lob::kCommercial, "hdhp", "bronze", 0, true, 38900, 5000,
     8000, 40, 80, 100, 500, 40, "High-deductible plan that pairs with a health savings account."},
    {"mkt-epo-silver", "Marketplace Silver EPO", Lob::kMarketplace, "epo", "silver", 2, false,
     45500, 4500, 9100, 35, 70, 90, 450, 30, "Individual marketplace plan on a narrow network."},
    {"ma-hmo", "Medicare Advantage HMO", Lob::kMedicareAdvantage, "hmo", "", 1, false, 0, 0, 4900,
     0, 40, 45, 110, 20, "Medicare Advantage plan with dental, vision and a $0 premium."},
    {"mcd-hmo", "Community Care (Medicaid)", Lob::kMedicaid, "hmo", "", 2, false, 0, 0, 0, 0, 0, 0,
     0, 0, "Medicaid managed care with no member cost sharing."},
};
constexpr std::size_t kPlanCount = std::size(kPlans);

enum class Copay : std::uint8_t { kNone, kPrimary, kSpecialist, kUrgent, kEmergency, kFixed };

struct BenefitDef {
    std::string_view name;
    std::string_view category;
    std::string_view service_type;  // X12 271 EB03
    Copay copay;
    std::int64_t fixed_copay;
    bool coinsurance;
    bool deductible_applies;
    int limit_quantity;  // 0 = no limit
    std::string_view limit_unit;
    std::string_view limit_period;
    bool prior_auth;
    std::string_view notes;
};

// The first two are part of every plan; plans draw 2 to 6 of the others.
constexpr BenefitDef kBenefits[] = {
    {"Preventive care", "preventive", "BZ", Copay::kNone, 0, false, false, 0, "", "", false,
     "Annual physical, well-child visits, screenings and immunizations at no cost in network."},
    {"Primary care visit", "primary-care", "98", Copay::kPrimary, 0, false, false, 0, "", "", false,
     ""},
    {"Specialist visit", "specialist", "98", Copay::kSpecialist, 0, false, false, 0, "", "", false,
     ""},
    {"Urgent care", "urgent-care", "UC", Copay::kUrgent, 0, false, false, 0, "", "", false, ""},
    {"Emergency room", "emergency", "86", Copay::kEmergency, 0, false, false, 0, "", "", false,
     "Copay waived if admitted."},
    {"Inpatient hospital stay", "inpatient", "48", Copay::kNone, 0, true, true, 0, "", "", true,
     "Non-emergency admissions need prior authorization."},
    {"Diagnostic lab", "diagnostic-lab", "5", Copay::kNone, 0, true, true, 0, "", "", false, ""},
    {"Advanced imaging (MRI, CT, PET)", "imaging", "62", Copay::kNone, 0, true, true, 0, "", "",
     true, ""},
    {"Outpatient mental health", "mental-health", "MH", Copay::kPrimary, 0, false, false, 0, "", "",
     false, ""},
    {"Physical therapy", "rehabilitation", "AE", Copay::kSpecialist, 0, false, false, 30, "visits",
     "calendar-year", false, "Combined limit for physical, occupational and speech therapy."},
    {"Telehealth visit", "telehealth", "98", Copay::kFixed, 0, false, false, 0, "", "", false, ""},
    {"Generic drugs", "pharmacy-generic", "88", Copay::kFixed, 10, false, false, 0, "", "", false,
     "30-day supply at a retail pharmacy."},
    {"Routine eye exam", "vision", "AL", Copay::kFixed, 0, false, false, 1, "visits",
     "calendar-year", false, ""},
    {"Preventive dental", "dental", "35", Copay::kFixed, 0, false, false, 2, "visits",
     "calendar-year", false, "Cleanings and exams."},
};

constexpr std::string_view kGroupPlaces[] = {
    "Riverside", "Granite",    "Oak Valley", "Summit",      "Bayview",  "Redwood",    "Clearwater",
    "Northgate", "Ironbridge", "Sunrise",    "Pioneer",     "Heritage", "Blue Ridge", "Lakeside",
    "Westfield", "Evergreen",  "Frontier",   "Maple Grove", "Crescent", "Stonegate",
};

struct Industry {
    std::string_view business;
    std::string_view sector;  // NAICS sector
};

constexpr Industry kIndustries[] = {
    {"Logistics", "Transportation and Warehousing"},
    {"Manufacturing", "Manufacturing"},
    {"Software", "Information"},
    {"Foods", "Retail Trade"},
    {"Construction", "Construction"},
    {"Dental Group", "Health Care and Social Assistance"},
    {"Credit Union", "Finance and Insurance"},
    {"School District", "Educational Services"},
    {"Hospitality Group", "Accommodation and Food Services"},
    {"Engineering", "Professional, Scientific, and Technical Services"},
    {"Plumbing & Heating", "Construction"},
    {"Auto Group", "Retail Trade"},
    {"Property Management", "Real Estate and Rental and Leasing"},
    {"Farms", "Agriculture, Forestry, Fishing and Hunting"},
};

constexpr std::string_view kCompanySuffixes[] = {"Inc", "LLC", "Co", "Corporation", "Group"};

// ---------------------------------------------------------------------------------------------
// Providers

enum class Kind : std::uint8_t {
    kFamilyMedicine,
    kInternalMedicine,
    kPediatrics,
    kNursePractitioner,
    kObGyn,
    kCardiology,
    kEndocrinology,
    kGastroenterology,
    kOrthopedics,
    kDermatology,
    kPsychiatry,
    kPsychologist,
    kSocialWorker,
    kPhysicalTherapy,
    kEmergencyMedicine,
    kRadiology,
    kPulmonology,
    kNephrology,
    kNeurology,
    kOphthalmology,
    kHospital,
    kUrgentCare,
    kLaboratory,
    kImagingCenter,
    kHealthCenter,
    kSurgeryCenter,
};
constexpr std::size_t kKindCount = static_cast<std::size_t>(Kind::kSurgeryCenter) + 1;

struct ProviderKind {
    std::string_view specialty;
    std::string_view taxonomy;     // NUCC code
    std::string_view credentials;  // empty for physicians (MD or DO) and facilities
    bool primary_care;
    bool facility;
    int weight;
    std::string_view practice;  // group practice or facility name ending
};

// Indexed by Kind.
constexpr ProviderKind kProviderKinds[] = {
    {"Family Medicine", "207Q00000X", "", true, false, 14, "Family Medicine"},
    {"Internal Medicine", "207R00000X", "", true, false, 10, "Internal Medicine Associates"},
    {"Pediatrics", "208000000X", "", true, false, 7, "Pediatrics"},
    {"Nurse Practitioner, Family", "363LF0000X", "NP", true, false, 8, "Primary Care"},
    {"Obstetrics & Gynecology", "207V00000X", "", false, false, 4, "Women's Health"},
    {"Cardiovascular Disease", "207RC0000X", "", false, false, 4, "Heart Center"},
    {"Endocrinology, Diabetes & Metabolism", "207RE0101X", "", false, false, 2, "Endocrinology"},
    {"Gastroenterology", "207RG0100X", "", false, false, 2, "Digestive Health"},
    {"Orthopaedic Surgery", "207X00000X", "", false, false, 4, "Orthopedics & Sports Medicine"},
    {"Dermatology", "207N00000X", "", false, false, 2, "Dermatology"},
    {"Psychiatry", "2084P0800X", "", false, false, 2, "Behavioral Health"},
    {"Clinical Psychologist", "103TC0700X", "PhD", false, false, 3, "Counseling Center"},
    {"Clinical Social Worker", "1041C0700X", "LCSW", false, false, 4, "Counseling Services"},
    {"Physical Therapist", "225100000X", "PT, DPT", false, false, 4, "Physical Therapy"},
    {"Emergency Medicine", "207P00000X", "", false, false, 3, "Emergency Physicians"},
    {"Diagnostic Radiology", "2085R0202X", "", false, false, 3, "Radiology Associates"},
    {"Pulmonary Disease", "207RP1001X", "", false, false, 2, "Pulmonary & Sleep Medicine"},
    {"Nephrology", "207RN0300X", "", false, false, 1, "Kidney Care"},
    {"Neurology", "2084N0400X", "", false, false, 2, "Neurology"},
    {"Ophthalmology", "207W00000X", "", false, false, 2, "Eye Care"},
    {"General Acute Care Hospital", "282N00000X", "", false, true, 3, "Medical Center"},
    {"Urgent Care Clinic", "261QU0200X", "", false, true, 3, "Urgent Care"},
    {"Clinical Medical Laboratory", "291U00000X", "", false, true, 2, "Clinical Laboratory"},
    {"Radiology Clinic", "261QR0200X", "", false, true, 2, "Imaging Center"},
    {"Federally Qualified Health Center", "261QF0400X", "", false, true, 2,
     "Community Health Center"},
    {"Ambulatory Surgical Center", "261QA1903X", "", false, true, 2, "Surgery Center"},
};
static_assert(std::size(kProviderKinds) == kKindCount);

const ProviderKind& KindDef(Kind kind) { return kProviderKinds[static_cast<std::size_t>(kind)]; }

// The first providers cover the kinds the claims need most, so even a small world has them.
constexpr Kind kFirstKinds[] = {
    Kind::kFamilyMedicine,    Kind::kHospital,          Kind::kInternalMedicine,
    Kind::kPediatrics,        Kind::kNursePractitioner, Kind::kUrgentCare,
    Kind::kCardiology,        Kind::kPsychologist,      Kind::kOrthopedics,
    Kind::kEmergencyMedicine, Kind::kRadiology,         Kind::kEndocrinology,
    Kind::kPhysicalTherapy,   Kind::kLaboratory,        Kind::kObGyn,
    Kind::kPulmonology,       Kind::kGastroenterology,  Kind::kSurgeryCenter,
    Kind::kPsychiatry,        Kind::kNeurology,         Kind::kNephrology,
    Kind::kImagingCenter,     Kind::kDermatology,       Kind::kOphthalmology,
    Kind::kSocialWorker,      Kind::kHealthCenter,
};

constexpr std::string_view kFacilityNames[] = {
    "Riverside", "Lakeview", "Northside",  "Valley",     "Cedar Ridge", "Harbor",
    "Pinecrest", "Fairview", "St. Anne's", "Mercy Park", "Oak Hill",    "Meadowbrook",
    "Westgate",  "Eastside", "Grandview",  "Brookside",
};

// ---------------------------------------------------------------------------------------------
// Clinical content

enum class ProcedureKind : std::uint8_t {
    kVisit,       // office E/M: copay
    kPreventive,  // preventive visit, screening, vaccine: no cost sharing
    kEmergency,   // emergency department E/M: emergency copay
    kHospital,    // inpatient professional: coinsurance
    kLab,         // coinsurance
    kImaging,     // coinsurance
    kProcedure,   // coinsurance
    kTherapy,     // specialist copay
};

struct Procedure {
    std::string_view code;  // CPT or HCPCS
    ProcedureKind kind;
    std::int64_t price_cents;       // typical billed charge for one unit
    std::string_view revenue_code;  // UB-04, on institutional claims
};

constexpr Procedure kProcedures[] = {
    {"99213", ProcedureKind::kVisit, 15000, "0510"},
    {"99214", ProcedureKind::kVisit, 22000, "0510"},
    {"99391", ProcedureKind::kPreventive, 19000, "0510"},
    {"99393", ProcedureKind::kPreventive, 20000, "0510"},
    {"99394", ProcedureKind::kPreventive, 21000, "0510"},
    {"99395", ProcedureKind::kPreventive, 24000, "0510"},
    {"99396", ProcedureKind::kPreventive, 26000, "0510"},
    {"G0439", ProcedureKind::kPreventive, 18000, "0510"},
    {"99283", ProcedureKind::kEmergency, 45000, "0450"},
    {"99284", ProcedureKind::kEmergency, 70000, "0450"},
    {"99223", ProcedureKind::kHospital, 40000, "0120"},
    {"99232", ProcedureKind::kHospital, 20000, "0120"},
    {"36415", ProcedureKind::kLab, 2000, "0300"},
    {"80053", ProcedureKind::kLab, 9000, "0301"},
    {"80061", ProcedureKind::kLab, 7500, "0301"},
    {"83036", ProcedureKind::kLab, 5500, "0301"},
    {"84443", ProcedureKind::kLab, 6000, "0301"},
    {"85025", ProcedureKind::kLab, 4500, "0305"},
    {"81002", ProcedureKind::kLab, 2000, "0307"},
    {"87880", ProcedureKind::kLab, 3500, "0306"},
    {"71046", ProcedureKind::kImaging, 18000, "0324"},
    {"72100", ProcedureKind::kImaging, 16000, "0320"},
    {"73610", ProcedureKind::kImaging, 12000, "0320"},
    {"73721", ProcedureKind::kImaging, 140000, "0610"},
    {"77080", ProcedureKind::kImaging, 12000, "0320"},
    {"77067", ProcedureKind::kPreventive, 25000, "0403"},
    {"45378", ProcedureKind::kPreventive, 180000, "0360"},
    {"93000", ProcedureKind::kProcedure, 8500, "0730"},
    {"94010", ProcedureKind::kProcedure, 9000, "0460"},
    {"20610", ProcedureKind::kProcedure, 22000, "0510"},
    {"97110", ProcedureKind::kTherapy, 9500, "0420"},
    {"90834", ProcedureKind::kTherapy, 16000, "0900"},
    {"90686", ProcedureKind::kPreventive, 4500, "0636"},
    {"90471", ProcedureKind::kPreventive, 4000, "0771"},
};

const Procedure& ProcedureFor(std::string_view code) {
    for (const Procedure& procedure : kProcedures) {
        if (procedure.code == code) {
            return procedure;
        }
    }
    return kProcedures[0];  // unreachable for the codes used below
}

// RxNorm concept ids of common generic products (demo data, not a drug reference).
enum class Med : std::uint8_t {
    kMetformin,
    kLisinopril,
    kAtorvastatin,
    kAlbuterol,
    kTiotropium,
    kFurosemide,
    kApixaban,
    kSertraline,
    kEscitalopram,
    kMethylphenidate,
    kLevothyroxine,
    kOmeprazole,
    kAlendronate,
    kSumatriptan,
    kAmoxicillin,
    kNone,
};

struct MedicationDef {
    std::string_view rxcui;
    std::string_view ndc;
    std::string_view name;
    std::string_view dosage;
    int quantity;
    int days_supply;
};

// Indexed by Med.
constexpr MedicationDef kMedications[] = {
    {"861007", "00093104801", "Metformin hydrochloride 500 MG Oral Tablet",
     "500 mg by mouth twice daily with meals", 60, 30},
    {"314076", "68180051301", "Lisinopril 10 MG Oral Tablet", "10 mg by mouth once daily", 30, 30},
    {"617310", "00378395005", "Atorvastatin 20 MG Oral Tablet",
     "20 mg by mouth once daily at bedtime", 30, 30},
    {"745679", "00173068220", "Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler",
     "2 puffs by inhalation every 4 to 6 hours as needed", 1, 30},
    {"485032", "00597007541", "Tiotropium 0.018 MG Inhalation Capsule",
     "Inhale the contents of 1 capsule once daily", 30, 30},
    {"313988", "00054829725", "Furosemide 40 MG Oral Tablet", "40 mg by mouth once daily", 30, 30},
    {"1364445", "00003089421", "Apixaban 5 MG Oral Tablet", "5 mg by mouth twice daily", 60, 30},
    {"312940", "16714061204", "Sertraline 50 MG Oral Tablet", "50 mg by mouth once daily", 30, 30},
    {"349332", "00093585101", "Escitalopram 10 MG Oral Tablet", "10 mg by mouth once daily", 30,
     30},
    {"1091170", "00591271701", "Methylphenidate hydrochloride 18 MG Extended Release Oral Tablet",
     "18 mg by mouth every morning", 30, 30},
    {"966222", "00378180001", "Levothyroxine sodium 0.05 MG Oral Tablet",
     "50 mcg by mouth once daily before breakfast", 30, 30},
    {"198053", "62175011843", "Omeprazole 20 MG Delayed Release Oral Capsule",
     "20 mg by mouth once daily before a meal", 30, 30},
    {"904419", "00093517144", "Alendronate sodium 70 MG Oral Tablet", "70 mg by mouth once weekly",
     4, 28},
    {"313161", "00781521401", "Sumatriptan 50 MG Oral Tablet",
     "50 mg by mouth at migraine onset; may repeat once after 2 hours", 9, 30},
    {"308191", "65862001705", "Amoxicillin 500 MG Oral Capsule",
     "500 mg by mouth three times daily for 10 days", 30, 10},
};
static_assert(std::size(kMedications) == static_cast<std::size_t>(Med::kNone));

enum class Care : std::uint8_t {
    kChronic,     // becomes a Condition; office visits, sometimes admissions
    kBehavioral,  // chronic, seen in therapy or medication visits
    kAcute,       // office or emergency visit
    kInjury,      // musculoskeletal pain and sprains
    kPreventive,  // annual physical and well-child visits
    kScreening,   // immunization, mammogram, colonoscopy
};

struct Diagnosis {
    std::string_view code;  // ICD-10-CM without the dot, as claims and Condition store it
    std::string_view description;
    Care care;
    int min_age;
    int max_age;
    char sex;                                // 'F', 'M' or 0 for either
    std::array<std::string_view, 2> workup;  // CPT codes ordered at the visit ("" = none)
    std::string_view drg;                    // MS-DRG when the condition can lead to an admission
    bool emergency;                          // can bring the member to the emergency department
    Kind specialist;  // who treats it besides primary care (kFamilyMedicine = nobody)
    Med medication;
    int weight;  // how common it is among the diagnoses of its kind
};

// clang-format off
constexpr Diagnosis kDiagnoses[] = {
    // Chronic conditions.
    {"E119", "Type 2 diabetes mellitus without complications", Care::kChronic, 30, 120, 0,
     {"83036", "80053"}, "", false, Kind::kEndocrinology, Med::kMetformin, 15},
    {"E1165", "Type 2 diabetes mellitus with hyperglycemia", Care::kChronic, 35, 120, 0,
     {"83036", "80053"}, "", false, Kind::kEndocrinology, Med::kMetformin, 4},
    {"I10", "Essential (primary) hypertension", Care::kChronic, 30, 120, 0,
     {"80053", "93000"}, "", false, Kind::kCardiology, Med::kLisinopril, 30},
    {"E785", "Hyperlipidemia, unspecified", Care::kChronic, 30, 120, 0,
     {"80061", ""}, "", false, Kind::kFamilyMedicine, Med::kAtorvastatin, 25},
    {"J45909", "Unspecified asthma, uncomplicated", Care::kChronic, 3, 120, 0,
     {"94010", ""}, "203", true, Kind::kPulmonology, Med::kAlbuterol, 8},
    {"J449", "Chronic obstructive pulmonary disease, unspecified", Care::kChronic, 45, 120, 0,
     {"94010", "71046"}, "192", true, Kind::kPulmonology, Med::kTiotropium, 4},
    {"I509", "Heart failure, unspecified", Care::kChronic, 55, 120, 0,
     {"93000", "80053"}, "293", true, Kind::kCardiology, Med::kFurosemide, 2},
    {"I4891", "Unspecified atrial fibrillation", Care::kChronic, 55, 120, 0,
     {"93000", ""}, "310", true, Kind::kCardiology, Med::kApixaban, 3},
    {"I2510", "Atherosclerotic heart disease of native coronary artery without angina pectoris",
     Care::kChronic, 50, 120, 0,
     {"93000", "80061"}, "", false, Kind::kCardiology, Med::kAtorvastatin, 4},
    {"N1830", "Chronic kidney disease, stage 3 unspecified", Care::kChronic, 50, 120, 0,
     {"80053", "81002"}, "", false, Kind::kNephrology, Med::kLisinopril, 4},
    {"E039", "Hypothyroidism, unspecified", Care::kChronic, 20, 120, 0,
     {"84443", ""}, "", false, Kind::kEndocrinology, Med::kLevothyroxine, 8},
    {"E669", "Obesity, unspecified", Care::kChronic, 10, 120, 0,
     {"80053", ""}, "", false, Kind::kFamilyMedicine, Med::kNone, 15},
    {"K219", "Gastro-esophageal reflux disease without esophagitis", Care::kChronic, 20, 120, 0,
     {"", ""}, "", false, Kind::kGastroenterology, Med::kOmeprazole, 10},
    {"M179", "Osteoarthritis of knee, unspecified", Care::kChronic, 45, 120, 0,
     {"73721", "20610"}, "", false, Kind::kOrthopedics, Med::kNone, 6},
    {"M810", "Age-related osteoporosis without current pathological fracture", Care::kChronic,
     55, 120, 'F',
     {"77080", ""}, "", false, Kind::kFamilyMedicine, Med::kAlendronate, 3},
    {"G4733", "Obstructive sleep apnea (adult) (pediatric)", Care::kChronic, 30, 120, 0,
     {"", ""}, "", false, Kind::kPulmonology, Med::kNone, 6},
    {"G43909", "Migraine, unspecified, not intractable, without status migrainosus",
     Care::kChronic, 12, 120, 0,
     {"", ""}, "", false, Kind::kNeurology, Med::kSumatriptan, 5},
    {"F329", "Major depressive disorder, single episode, unspecified", Care::kBehavioral, 12, 120,
     0, {"", ""}, "", false, Kind::kPsychologist, Med::kSertraline, 8},
    {"F411", "Generalized anxiety disorder", Care::kBehavioral, 12, 120, 0,
     {"", ""}, "", false, Kind::kSocialWorker, Med::kEscitalopram, 8},
    {"F909", "Attention-deficit hyperactivity disorder, unspecified type", Care::kBehavioral, 6,
     40, 0, {"", ""}, "", false, Kind::kPsychiatry, Med::kMethylphenidate, 4},
    // Acute illness.
    {"J069", "Acute upper respiratory infection, unspecified", Care::kAcute, 0, 120, 0,
     {"", ""}, "", false, Kind::kFamilyMedicine, Med::kNone, 20},
    {"J029", "Acute pharyngitis, unspecified", Care::kAcute, 0, 120, 0,
     {"87880", ""}, "", false, Kind::kFamilyMedicine, Med::kAmoxicillin, 8},
    {"J0190", "Acute sinusitis, unspecified", Care::kAcute, 5, 120, 0,
     {"", ""}, "", false, Kind::kFamilyMedicine, Med::kAmoxicillin, 8},
    {"J189", "Pneumonia, unspecified organism", Care::kAcute, 0, 120, 0,
     {"71046", "85025"}, "195", true, Kind::kPulmonology, Med::kAmoxicillin, 3},
    {"N390", "Urinary tract infection, site not specified", Care::kAcute, 0, 120, 0,
     {"81002", ""}, "", false, Kind::kFamilyMedicine, Med::kNone, 8},
    {"H6690", "Otitis media, unspecified, unspecified ear", Care::kAcute, 0, 12, 0,
     {"", ""}, "", false, Kind::kPediatrics, Med::kAmoxicillin, 8},
    {"R051", "Acute cough", Care::kAcute, 0, 120, 0,
     {"71046", ""}, "", false, Kind::kFamilyMedicine, Med::kNone, 8},
    {"R109", "Unspecified abdominal pain", Care::kAcute, 0, 120, 0,
     {"80053", "85025"}, "", true, Kind::kGastroenterology, Med::kNone, 6},
    {"R0789", "Other chest pain", Care::kAcute, 18, 120, 0,
     {"93000", "71046"}, "313", true, Kind::kCardiology, Med::kNone, 4},
    {"A09", "Infectious gastroenteritis and colitis, unspecified", Care::kAcute, 0, 120, 0,
     {"", ""}, "", false, Kind::kFamilyMedicine, Med::kNone, 5},
    {"U071", "COVID-19", Care::kAcute, 0, 120, 0,
     {"", ""}, "", false, Kind::kFamilyMedicine, Med::kNone, 4},
    // Injuries and musculoskeletal pain.
    {"M5450", "Low back pain, unspecified", Care::kInjury, 18, 120, 0,
     {"72100", "97110"}, "", false, Kind::kPhysicalTherapy, Med::kNone, 10},
    {"M25561", "Pain in right knee", Care::kInjury, 12, 120, 0,
     {"73721", ""}, "", false, Kind::kOrthopedics, Med::kNone, 5},
    {"S93401A", "Sprain of unspecified ligament of right ankle, initial encounter", Care::kInjury,
     5, 120, 0, {"73610", ""}, "", true, Kind::kOrthopedics, Med::kNone, 4},
    // Preventive care and screening.
    {"Z0000", "Encounter for general adult medical examination without abnormal findings",
     Care::kPreventive, 18, 120, 0,
     {"80053", "36415"}, "", false, Kind::kFamilyMedicine, Med::kNone, 1},
    {"Z00129", "Encounter for routine child health examination without abnormal findings",
     Care::kPreventive, 0, 17, 0,
     {"90686", "90471"}, "", false, Kind::kPediatrics, Med::kNone, 1},
    {"Z23", "Encounter for immunization", Care::kScreening, 0, 120, 0,
     {"90686", "90471"}, "", false, Kind::kFamilyMedicine, Med::kNone, 6},
    {"Z1231", "Encounter for screening mammogram for malignant neoplasm of breast",
     Care::kScreening, 40, 120, 'F',
     {"77067", ""}, "", false, Kind::kRadiology, Med::kNone, 3},
    {"Z1211", "Encounter for screening for malignant neoplasm of colon", Care::kScreening, 45,
     120, 0, {"45378", ""}, "", false, Kind::kGastroenterology, Med::kNone, 1},
};
// clang-format on

bool Fits(const Diagnosis& diagnosis, int age, bool female) {
    return age >= diagnosis.min_age && age <= diagnosis.max_age &&
           (diagnosis.sex == 0 || (diagnosis.sex == 'F') == female);
}

// A diagnosis of one of `kinds` that fits the person, the common ones more often; nullptr when
// none fits.
const Diagnosis* PickDiagnosis(Random& rng, std::initializer_list<Care> kinds, int age,
                               bool female) {
    auto eligible = [&](const Diagnosis& diagnosis) {
        return std::find(kinds.begin(), kinds.end(), diagnosis.care) != kinds.end() &&
               Fits(diagnosis, age, female);
    };
    int total = 0;
    for (const Diagnosis& diagnosis : kDiagnoses) {
        total += eligible(diagnosis) ? diagnosis.weight : 0;
    }
    if (total == 0) {
        return nullptr;
    }
    int roll = rng.Int(0, total - 1);
    for (const Diagnosis& diagnosis : kDiagnoses) {
        if (!eligible(diagnosis)) {
            continue;
        }
        if (roll < diagnosis.weight) {
            return &diagnosis;
        }
        roll -= diagnosis.weight;
    }
    return nullptr;
}

struct Denial {
    std::string_view code;  // claim adjustment reason code
    std::string_view text;
};

constexpr Denial kDenials[] = {
    {"CO-50", "CO-50 Non-covered: not deemed a medical necessity by the payer"},
    {"CO-97", "CO-97 Payment is included in the allowance for another service"},
    {"CO-16", "CO-16 Claim lacks information needed for adjudication"},
    {"CO-29", "CO-29 The time limit for filing has expired"},
    {"PR-204", "PR-204 Service not covered under the patient's current benefit plan"},
    {"CO-197", "CO-197 Precertification or authorization absent"},
};

// ---------------------------------------------------------------------------------------------
// Service

struct CaseTemplate {
    std::string_view type;
    std::string_view subject;
    std::string_view description;
    std::string_view resolution;
    std::string_view queue;
    int weight;
    bool about_claim;
    bool about_denial;
    bool about_provider;
    int days_to_resolve;  // service level
};

constexpr CaseTemplate kCaseTemplates[] = {
    {"claim-inquiry", "Question about a claim balance",
     "Member asked why the claim shows a balance and what they owe the provider.",
     "Explained the allowed amount, cost sharing and remaining balance.", "Claims", 22, true, false,
     false, 5},
    {"appeal", "Appeal of a denied claim",
     "Member disputes the denial and asks for reconsideration; provider records to follow.",
     "Appeal reviewed against the submitted records and the plan's coverage rules.",
     "Appeals & Grievances", 8, true, true, false, 30},
    {"benefit-inquiry", "Coverage for physical therapy",
     "Member asked how many physical therapy visits the plan covers and whether a referral is "
     "needed.",
     "Confirmed the visit limit and that no referral is required.", "Member Services", 16, false,
     false, false, 3},
    {"id-card-request", "Replacement ID card",
     "Member lost their ID card and asked for a replacement and a digital copy.",
     "Mailed a replacement card and posted the digital card to the portal.", "Member Services", 12,
     false, false, false, 5},
    {"billing", "Premium payment not reflected",
     "Member paid the monthly premium but the portal still shows a balance.",
     "Payment located and applied; the balance is corrected.", "Billing", 8, false, false, false,
     5},
    {"enrollment", "Add a dependent to coverage",
     "Subscriber asked how to add a dependent after a qualifying life event.",
     "Sent the enrollment form and explained the 60-day special enrollment window.", "Enrollment",
     7, false, false, false, 10},
    {"provider-search", "Find an in-network specialist",
     "Member needs an in-network specialist accepting new patients near home.",
     "Shared three in-network options with addresses and phone numbers.", "Member Services", 10,
     false, false, true, 3},
    {"prior-authorization", "Prior authorization status for an MRI",
     "Member asked about the status of a prior authorization request for an MRI.",
     "Authorization approved; member and ordering provider notified.", "Utilization Management", 6,
     false, false, true, 7},
    {"pharmacy", "Refill rejected at the pharmacy",
     "Pharmacy rejected a refill as too soon; member is travelling.",
     "Approved a vacation supply override.", "Pharmacy", 6, false, false, false, 2},
    {"complaint", "Long hold times",
     "Member complained about hold times when calling member services.",
     "Apologised and passed the feedback to the contact-center team.", "Member Services", 3, false,
     false, false, 10},
    {"grievance", "Grievance about a provider office",
     "Member filed a grievance about how they were treated at a provider office.",
     "Grievance investigated; resolution letter sent to the member.", "Appeals & Grievances", 2,
     false, false, true, 30},
};

struct InteractionTopic {
    std::string_view summary;
    std::string_view queue;
};

constexpr InteractionTopic kInteractionTopics[] = {
    {"Verified eligibility and explained copays for an upcoming visit.", "Member Services"},
    {"Helped the member find an in-network primary care provider.", "Member Services"},
    {"Explained an explanation of benefits the member received.", "Claims"},
    {"Updated the member's mailing address and phone number.", "Member Services"},
    {"Reset the member's portal password.", "Member Services"},
    {"Answered questions about a prescription's tier and cost.", "Pharmacy"},
    {"Outreach about an overdue preventive screening.", "Care Management"},
    {"Reminded the member about their annual wellness visit.", "Care Management"},
};

// ---------------------------------------------------------------------------------------------
// Drafts: one chunk of members, in memory until written.

struct ClaimLineDraft {
    const Procedure* procedure = nullptr;
    std::string_view modifier;
    int units = 1;
    Day service = 0;
    std::int64_t billed = 0;  // cents; the other amounts are empty (-1) until adjudicated
    std::int64_t allowed = -1;
    std::int64_t paid = -1;
    std::int64_t member = -1;
    std::int64_t copay = 0;
    std::int64_t coinsurance = 0;
    std::string_view status;
    std::string_view denial_code;
};

struct ClaimDraft {
    int ordinal = 0;
    bool institutional = false;
    std::string_view status;
    Day from = 0;
    Day to = 0;
    std::optional<Day> admission;
    std::optional<Day> discharge;
    std::size_t billing = 0;    // provider index
    std::size_t rendering = 0;  // provider index
    bool in_network = true;
    std::string_view place_of_service;
    std::string_view type_of_bill;
    const Diagnosis* primary = nullptr;
    std::vector<const Diagnosis*> diagnoses;
    std::vector<ClaimLineDraft> lines;
    Day received = 0;
    std::optional<Day> adjudicated;
    std::optional<Day> paid_on;
    const Denial* denial = nullptr;
};

struct ConditionDraft {
    const Diagnosis* diagnosis = nullptr;
    Day onset = 0;
    Day recorded = 0;
    std::string_view clinical_status;
    std::string_view severity;
};

struct MedicationDraft {
    const MedicationDef* medication = nullptr;
    Day start = 0;
    std::optional<Day> end;
    std::string_view status;
    std::size_t prescriber = 0;
    int refills = 0;
    std::string_view source;
};

struct CaseDraft {
    const CaseTemplate* kind = nullptr;
    int claim = -1;  // ordinal of the person's claim, or -1
    std::optional<std::size_t> provider;
    std::string_view status;
    std::string_view priority;
    std::string_view origin;
    std::string_view requester;
    bool expedited = false;
    Instant opened = 0;
    Instant due = 0;
    std::optional<Instant> closed;
    std::string_view resolution_code;
};

struct InteractionDraft {
    bool about_case = false;
    std::string_view channel;
    std::string_view direction;
    std::string_view caller;
    std::string_view queue;
    std::string_view outcome;
    std::string_view summary;
    Instant started = 0;
    int handle_seconds = 0;
    int wait_seconds = 0;
};

enum class Role : std::uint8_t { kHead, kSpouse, kChild };

struct PersonDraft {
    std::int64_t index = 0;  // position in the world, for external ids
    Role role = Role::kHead;
    bool subscriber = true;
    std::size_t subscriber_slot = 0;  // position of the subscriber in the household
    std::string first_name;
    std::string middle_name;
    bool female = false;
    Day birth = 0;
    std::string ssn;
    std::string medicare_id;
    std::string medicaid_id;
    std::string email;
    std::string mobile;
    std::string contact_method;
    bool interpreter = false;
    bool do_not_contact = false;
    std::optional<std::size_t> pcp;
    Day effective = 0;
    std::optional<Day> termination;
    std::string_view status;
    std::vector<ClaimDraft> claims;
    std::vector<ConditionDraft> conditions;
    std::vector<MedicationDraft> medications;
    std::optional<CaseDraft> service_case;
    std::vector<InteractionDraft> interactions;
};

struct HouseholdDraft {
    std::int64_t index = 0;
    Lob lob = Lob::kCommercial;
    std::size_t plan = 0;
    std::optional<std::size_t> group;
    std::string last_name;
    Address address;
    std::string phone;
    std::string_view language;
    std::string_view termination_reason;
    std::vector<PersonDraft> people;  // the head first
};

// ---------------------------------------------------------------------------------------------
// Writing

std::int64_t IntOf(const json::object& object, std::string_view key) {
    const json::value* value = object.if_contains(key);
    return value != nullptr && value->is_int64() ? value->get_int64() : 0;
}

std::string_view StringOf(const json::object& object, std::string_view key) {
    const json::value* value = object.if_contains(key);
    return value != nullptr && value->is_string() ? std::string_view(value->get_string())
                                                  : std::string_view();
}

// Whether an object's key field must exist, or the object is skipped when it does not.
enum class KeyField { kRequired, kIfDeclared };

// Upserts NDJSON lines in atomic batches, keeps the summary and reports progress.
class Writer {
public:
    Writer(records::RecordService& records, const security::Actor& actor, std::size_t batch_size,
           const Progress& progress, DemoSummary& summary)
        : records_(records),
          actor_(actor),
          batch_size_(batch_size),
          progress_(progress),
          summary_(summary) {}

    // True once an object turned out to have no such key field (only for kIfDeclared).
    bool Skips(std::string_view object) const { return skipped_.count(object) != 0; }

    // Upserts `lines` (one JSON object each) keyed by `key_field`; returns the record id of
    // each line, in order. Empty for an object that is skipped.
    Result<std::vector<std::string>> Upsert(std::string_view object, std::string_view key_field,
                                            const std::vector<std::string>& lines,
                                            KeyField key = KeyField::kRequired) {
        std::vector<std::string> ids;
        if (Skips(object)) {
            return ids;
        }
        ids.reserve(lines.size());
        std::string body;
        for (std::size_t start = 0; start < lines.size(); start += batch_size_) {
            const std::size_t end = std::min(lines.size(), start + batch_size_);
            body.clear();
            for (std::size_t line = start; line < end; ++line) {
                body += lines[line];
                body += '\n';
            }
            auto outcome =
                records_.BulkUpsert(actor_, object, body, key_field, records::BulkMode::kAtomic);
            if (!outcome.ok()) {
                const Error& error = outcome.error();
                if (key == KeyField::kIfDeclared && error.code == ErrorCode::kInvalidArgument &&
                    error.location == "externalId") {
                    skipped_.emplace(object);
                    return std::vector<std::string>();
                }
                return std::move(outcome).error();
            }
            P360_TRY(Collect(object, *outcome, end - start, ids));
            std::int64_t& done = done_[std::string(object)];
            done += static_cast<std::int64_t>(end - start);
            if (progress_) {
                progress_(object, done);
            }
        }
        if (key == KeyField::kRequired || !lines.empty()) {
            summary_.records_by_object.try_emplace(std::string(object), 0);
        }
        return ids;
    }

private:
    Status Collect(std::string_view object, const records::BulkOutcome& outcome,
                   std::size_t line_count, std::vector<std::string>& ids) {
        const json::object& body = outcome.body;
        if (!outcome.applied || outcome.failed > 0) {
            return FirstLineError(object, body);
        }
        const json::value* results = body.if_contains("results");
        if (results == nullptr || !results->is_array() ||
            results->get_array().size() != line_count) {
            return Error::Internal("Bulk upsert of " + std::string(object) +
                                   " answered without one result per line.");
        }
        for (const json::value& result : results->get_array()) {
            const std::string_view id =
                result.is_object() ? StringOf(result.get_object(), "id") : std::string_view();
            if (id.empty()) {
                return Error::Internal("Bulk upsert of " + std::string(object) +
                                       " answered a line without a record id.");
            }
            ids.emplace_back(id);
        }
        summary_.records_by_object[std::string(object)] +=
            IntOf(body, "created") + IntOf(body, "updated") + IntOf(body, "unchanged");
        return Ok();
    }

    // The generator must never write an invalid record: report the first rejected line as a bug.
    static Error FirstLineError(std::string_view object, const json::object& body) {
        std::int64_t line = 0;
        std::string field;
        std::string message = "The atomic batch was rolled back.";
        const json::value* results = body.if_contains("results");
        if (results != nullptr && results->is_array()) {
            for (const json::value& result : results->get_array()) {
                if (!result.is_object() || StringOf(result.get_object(), "status") != "failed") {
                    continue;
                }
                line = IntOf(result.get_object(), "line");
                const json::value* errors = result.get_object().if_contains("errors");
                if (errors != nullptr && errors->is_array() && !errors->get_array().empty() &&
                    errors->get_array()[0].is_object()) {
                    const json::object& first = errors->get_array()[0].get_object();
                    field = StringOf(first, "field");
                    message = StringOf(first, "message");
                }
                break;
            }
        }
        Error error;
        error.code = ErrorCode::kInternal;
        error.public_message = "The demo generator wrote an invalid " + std::string(object) +
                               " record (line " + std::to_string(line) + " of its batch, field '" +
                               field + "'): " + message;
        error.internal_detail = error.public_message;
        error.location = field;
        error.field_errors.push_back({field, message, line});
        return error;
    }

    records::RecordService& records_;
    const security::Actor& actor_;
    const std::size_t batch_size_;
    const Progress& progress_;
    DemoSummary& summary_;
    std::map<std::string, std::int64_t, std::less<>> done_;
    std::set<std::string, std::less<>> skipped_;
};

// ---------------------------------------------------------------------------------------------
// The generator

class Generator {
public:
    Generator(records::RecordService& records, const security::Actor& actor,
              const DemoOptions& options, const Progress& progress)
        : options_(options),
          tag_(SeedTag(options.seed)),
          writer_(records, actor, static_cast<std::size_t>(options.batch_size), progress,
                  summary_) {
        Random world(StreamSeed(options.seed, Stream::kWorld, 0));
        brand_ = world.Pick(kBrands);
        headquarters_ = world.Index(kCityCount);
        group_count_ = std::max<std::int64_t>(3, options.members / 200);
        provider_count_ = std::max<std::int64_t>(20, options.members / 10);
    }

    Result<DemoSummary> Run() {
        P360_TRY(WriteAccounts());
        P360_TRY(WriteNetworks());
        P360_TRY(WritePlans());
        P360_TRY(WriteProviders());
        P360_TRY(WriteMembers());
        return summary_;
    }

private:
    // External ids: "demo-<seed tag>-<kind>-<index or name>".
    std::string Key(std::string_view kind, std::string_view name) const {
        return "demo-" + tag_ + "-" + std::string(kind) + "-" + std::string(name);
    }
    std::string Key(std::string_view kind, std::int64_t index) const {
        return Key(kind, std::to_string(index));
    }

    std::string Slug() const {
        std::string slug;
        AppendLower(slug, brand_);
        return slug;
    }

    std::string GroupNumber(std::int64_t group) const {
        return "G" + tag_ + "-" + Padded(static_cast<std::uint64_t>(group + 1), 5);
    }

    std::string MemberId(std::int64_t person) const {
        return "M" + tag_ + "-" + Padded(static_cast<std::uint64_t>(person), 9);
    }

    // -- Accounts: the payer and its employer groups --------------------------------------

    Status WriteAccounts() {
        Random rng(StreamSeed(options_.seed, Stream::kWorld, 1));
        const City& city = kCities[headquarters_];
        const Address address = RandomAddress(rng, headquarters_, false);
        json::object payer;
        payer["sourceId"] = Key("acc", "payer");
        payer["name"] = brand_;
        payer["accountType"] = "payer";
        payer["status"] = "active";
        payer["taxId"] = Digits(rng, 2) + "-" + Digits(rng, 7);
        payer["industry"] = "Finance and Insurance";
        payer["employeeCount"] = rng.Int(800, 6000);
        payer["phone"] = Phone(rng, city.area_code);
        payer["email"] = "memberservices@" + Slug() + ".example";
        payer["website"] = "https://www." + Slug() + ".example";
        PutAddress(payer, address);
        P360_ASSIGN_OR_RETURN(auto payer_ids,
                              writer_.Upsert("Account", "sourceId", {json::serialize(payer)}));
        payer_id_ = payer_ids.front();

        for (std::int64_t start = 0; start < group_count_; start += options_.batch_size) {
            const std::int64_t end = std::min(group_count_, start + options_.batch_size);
            std::vector<std::string> lines;
            for (std::int64_t group = start; group < end; ++group) {
                lines.push_back(GroupLine(group));
            }
            P360_ASSIGN_OR_RETURN(auto ids, writer_.Upsert("Account", "sourceId", lines));
            for (auto& id : ids) {
                group_ids_.push_back(std::move(id));
            }
        }
        return Ok();
    }

    std::string GroupLine(std::int64_t group) const {
        Random rng(StreamSeed(options_.seed, Stream::kGroup, static_cast<std::uint64_t>(group)));
        const Industry& industry = rng.Pick(kIndustries);
        const std::size_t city = rng.Index(kCityCount);
        const int employees =
            static_cast<int>(std::round(std::exp(std::log(20.0) + rng.Unit() * std::log(250.0))));
        json::object account;
        account["sourceId"] = Key("acc", group + 1);
        account["name"] = std::string(rng.Pick(kGroupPlaces)) + " " +
                          std::string(industry.business) + " " +
                          std::string(rng.Pick(kCompanySuffixes));
        account["accountType"] = "employer-group";
        account["status"] = "active";
        account["taxId"] = Digits(rng, 2) + "-" + Digits(rng, 7);
        account["industry"] = industry.sector;
        account["employeeCount"] = employees;
        account["eligibleEmployeeCount"] = employees * rng.Int(70, 95) / 100;
        account["groupNumber"] = GroupNumber(group);
        account["renewalDate"] = FormatDay(DayOf(2027, static_cast<unsigned>(rng.Int(1, 12)), 1));
        account["phone"] = Phone(rng, kCities[city].area_code);
        account["email"] = "benefits" + std::to_string(group + 1) + "@example.com";
        PutAddress(account, RandomAddress(rng, city, false));
        return json::serialize(account);
    }

    static void PutAddress(json::object& object, const Address& address) {
        const City& city = kCities[address.city];
        object["addressLine1"] = address.line1;
        if (!address.line2.empty()) {
            object["addressLine2"] = address.line2;
        }
        object["city"] = city.name;
        object["state"] = city.state;
        object["postalCode"] = address.postal_code;
        object["country"] = "US";
    }

    // -- Networks, plans, benefits ---------------------------------------------------------

    Status WriteNetworks() {
        std::vector<std::string> lines;
        for (const NetworkDef& network : kNetworks) {
            json::object line;
            line["code"] = Key("net", network.key);
            line["name"] = std::string(brand_) + " " + std::string(network.name);
            line["networkType"] = network.type;
            line["lineOfBusiness"] = network.lob;
            line["payer"] = payer_id_;
            line["status"] = "active";
            line["effectiveDate"] = FormatDay(kEarliestCoverage);
            line["description"] = network.description;
            lines.push_back(json::serialize(line));
        }
        P360_ASSIGN_OR_RETURN(network_ids_, writer_.Upsert("Network", "code", lines));
        return Ok();
    }

    Status WritePlans() {
        Random rng(StreamSeed(options_.seed, Stream::kWorld, 2));
        const City& headquarters = kCities[headquarters_];
        std::vector<std::string> lines;
        for (const PlanDef& plan : kPlans) {
            json::object line;
            line["planCode"] = Key("pln", plan.key);
            line["name"] = std::string(brand_) + " " + std::string(plan.name);
            line["description"] = plan.description;
            line["payer"] = payer_id_;
            line["network"] = network_ids_[static_cast<std::size_t>(plan.network)];
            line["lineOfBusiness"] = LobName(plan.lob);
            line["planType"] = plan.plan_type;
            if (!plan.metal_level.empty()) {
                line["metalLevel"] = plan.metal_level;
            }
            json::array coverage{"medical", "pharmacy"};
            if (plan.lob == Lob::kMedicareAdvantage || plan.lob == Lob::kMedicaid) {
                coverage.emplace_back("dental");
                coverage.emplace_back("vision");
            }
            coverage.emplace_back("behavioral-health");
            line["coverageTypes"] = std::move(coverage);
            line["status"] = "active";
            // In force since before the earliest coverage, through the current plan year.
            line["effectiveDate"] = FormatDay(kEarliestCoverage);
            line["endDate"] = FormatDay(DayOf(2026, 12, 31));
            if (plan.lob == Lob::kMedicareAdvantage) {
                line["cmsContractId"] =
                    "H" + Digits(rng, 4) + "-00" + std::to_string(rng.Int(1, 9));
            }
            if (plan.lob == Lob::kMarketplace) {
                line["hiosPlanId"] =
                    Digits(rng, 5) + std::string(headquarters.state) + "00" + Digits(rng, 5);
            }
            line["monthlyPremium"] = Money(plan.premium_cents);
            line["individualDeductible"] = static_cast<double>(plan.deductible);
            line["familyDeductible"] = static_cast<double>(plan.deductible * 2);
            line["individualOutOfPocketMax"] = static_cast<double>(plan.out_of_pocket_max);
            line["familyOutOfPocketMax"] = static_cast<double>(plan.out_of_pocket_max * 2);
            if (plan.out_of_network_benefits) {
                line["outOfNetworkIndividualDeductible"] = static_cast<double>(plan.deductible * 2);
                line["outOfNetworkFamilyDeductible"] = static_cast<double>(plan.deductible * 4);
                line["outOfNetworkIndividualOutOfPocketMax"] =
                    static_cast<double>(plan.out_of_pocket_max * 2);
                line["outOfNetworkFamilyOutOfPocketMax"] =
                    static_cast<double>(plan.out_of_pocket_max * 4);
            }
            lines.push_back(json::serialize(line));
        }
        P360_ASSIGN_OR_RETURN(plan_ids_, writer_.Upsert("Plan", "planCode", lines));
        return WriteBenefits(rng);
    }

    Status WriteBenefits(Random& rng) {
        std::vector<std::string> lines;
        for (std::size_t plan_index = 0; plan_index < kPlanCount; ++plan_index) {
            const PlanDef& plan = kPlans[plan_index];
            std::vector<std::size_t> chosen = {0, 1};
            std::vector<std::size_t> others;
            for (std::size_t benefit = 2; benefit < std::size(kBenefits); ++benefit) {
                others.push_back(benefit);
            }
            const int extra = rng.Int(2, 6);
            for (int pick = 0; pick < extra; ++pick) {
                const std::size_t slot = rng.Index(others.size());
                chosen.push_back(others[slot]);
                others.erase(others.begin() + static_cast<std::ptrdiff_t>(slot));
            }
            std::sort(chosen.begin(), chosen.end());
            for (std::size_t benefit_index : chosen) {
                lines.push_back(BenefitLine(plan_index, plan, benefit_index));
            }
        }
        P360_TRY(writer_.Upsert("Benefit", "sourceId", lines, KeyField::kIfDeclared));
        return Ok();
    }

    std::string BenefitLine(std::size_t plan_index, const PlanDef& plan,
                            std::size_t benefit_index) const {
        const BenefitDef& benefit = kBenefits[benefit_index];
        std::int64_t copay = 0;
        switch (benefit.copay) {
            case Copay::kNone:
                copay = 0;
                break;
            case Copay::kPrimary:
                copay = plan.primary_copay;
                break;
            case Copay::kSpecialist:
                copay = plan.specialist_copay;
                break;
            case Copay::kUrgent:
                copay = plan.urgent_copay;
                break;
            case Copay::kEmergency:
                copay = plan.emergency_copay;
                break;
            case Copay::kFixed:
                copay = plan.lob == Lob::kMedicaid ? 0 : benefit.fixed_copay;
                break;
        }
        json::object line;
        line["sourceId"] =
            Key("ben", static_cast<std::int64_t>(plan_index)) + "-" + std::to_string(benefit_index);
        line["plan"] = plan_ids_[plan_index];
        line["name"] = benefit.name;
        line["serviceCategory"] = benefit.category;
        line["serviceTypeCode"] = benefit.service_type;
        line["coverageLevel"] = "individual";
        line["isCovered"] = true;
        line["inNetworkCopay"] = static_cast<double>(copay);
        if (plan.out_of_network_benefits && benefit.copay != Copay::kEmergency) {
            line["outOfNetworkCopay"] = static_cast<double>(copay * 2);
        }
        line["coinsurance"] = benefit.coinsurance ? plan.coinsurance : 0;
        if (plan.out_of_network_benefits) {
            line["outOfNetworkCoinsurance"] = benefit.coinsurance ? plan.coinsurance + 20 : 40;
        }
        line["deductibleApplies"] = benefit.deductible_applies && plan.deductible > 0;
        if (benefit.limit_quantity > 0) {
            line["limitQuantity"] = benefit.limit_quantity;
            line["limitUnit"] = benefit.limit_unit;
            line["limitPeriod"] = benefit.limit_period;
        }
        line["requiresPriorAuth"] = benefit.prior_auth;
        if (!benefit.notes.empty()) {
            line["notes"] = benefit.notes;
        }
        return json::serialize(line);
    }

    // -- Providers and their locations ------------------------------------------------------

    struct ProviderDraft {
        Kind kind = Kind::kFamilyMedicine;
        std::size_t city = 0;
        bool active = true;
        std::string line;
        std::vector<std::string> locations;  // lines without the provider reference
    };

    ProviderDraft DraftProvider(std::int64_t index) const {
        Random rng(StreamSeed(options_.seed, Stream::kProvider, static_cast<std::uint64_t>(index)));
        ProviderDraft draft;
        if (index < static_cast<std::int64_t>(std::size(kFirstKinds))) {
            draft.kind = kFirstKinds[index];
        } else {
            int total = 0;
            for (const ProviderKind& kind : kProviderKinds) {
                total += kind.weight;
            }
            int roll = rng.Int(0, total - 1);
            std::size_t kind_index = 0;
            while (roll >= kProviderKinds[kind_index].weight) {
                roll -= kProviderKinds[kind_index].weight;
                ++kind_index;
            }
            draft.kind = static_cast<Kind>(kind_index);
        }
        const ProviderKind& kind = KindDef(draft.kind);
        draft.city = rng.Index(kCityCount);
        draft.active = index < 2 || !rng.Chance(0.03);
        const City& city = kCities[draft.city];
        const std::string npi = Npi(options_.seed, index);

        json::object line;
        line["npi"] = npi;
        line["providerType"] = kind.facility ? "facility" : "practitioner";
        std::string display_name;
        if (kind.facility) {
            display_name = std::string(rng.Pick(kFacilityNames)) + " " + std::string(kind.practice);
            line["organizationName"] = display_name;
        } else {
            const bool female = rng.Chance(0.5);
            const std::string_view first = FirstName(rng, female);
            const std::string last = Surname(rng);
            line["firstName"] = first;
            line["lastName"] = last;
            line["credentials"] = !kind.credentials.empty() ? kind.credentials
                                  : rng.Chance(0.8)         ? "MD"
                                                            : "DO";
            line["gender"] = female ? "female" : "male";
            display_name = last + " " + std::string(kind.practice);
            if (rng.Chance(0.5)) {
                line["organizationName"] = display_name;
            }
            line["caqhId"] = Digits(rng, 8);
            line["licenseNumber"] = std::string(city.state) + Digits(rng, 6);
            line["licenseState"] = city.state;
        }
        line["taxonomyCode"] = kind.taxonomy;
        line["specialty"] = kind.specialty;
        line["isPrimaryCareProvider"] = kind.primary_care;
        const bool accepting = rng.Chance(0.8);
        line["acceptingNewPatients"] = accepting;
        json::array languages{"en"};
        if (rng.Chance(0.22)) {
            languages.emplace_back("es");
        }
        if (rng.Chance(0.06)) {
            languages.emplace_back(rng.Pick({"zh", "vi", "ko", "ru", "ar", "hi"}));
        }
        line["languages"] = std::move(languages);
        line["status"] = draft.active ? "active" : "pending-credentialing";
        line["taxId"] = Digits(rng, 2) + "-" + Digits(rng, 7);
        line["email"] = "office." + npi + "@example.org";
        line["phone"] = Phone(rng, city.area_code);
        line["fax"] = Phone(rng, city.area_code);
        if (kind.facility) {
            std::string slug;
            AppendLower(slug, display_name);
            line["website"] = "https://www." + slug + ".example";
        }
        const Day effective = AddMonths(DayOf(2012, 1, 1), rng.Int(0, 150));
        line["effectiveDate"] = FormatDay(effective);
        draft.line = json::serialize(line);

        const int location_count = rng.Chance(0.4) ? 2 : 1;
        for (int location = 0; location < location_count; ++location) {
            const std::size_t where =
                location == 0 || rng.Chance(0.5) ? draft.city : rng.Index(kCityCount);
            const City& place = kCities[where];
            Address address = RandomAddress(rng, where, false);
            json::object site;
            site["sourceId"] = Key("prl", index) + "-" + std::to_string(location);
            site["name"] =
                location == 0 ? display_name : display_name + " - " + std::string(place.name);
            site["addressLine1"] = address.line1;
            if (!kind.facility && rng.Chance(0.6)) {
                site["addressLine2"] =
                    "Suite " + std::to_string(rng.Int(1, 9) * 100 + rng.Int(0, 20));
            }
            site["city"] = place.name;
            site["state"] = place.state;
            site["postalCode"] = address.postal_code;
            site["county"] = place.county;
            site["country"] = "US";
            site["latitude"] = Coordinate(place.latitude + (rng.Unit() - 0.5) * 0.16);
            site["longitude"] = Coordinate(place.longitude + (rng.Unit() - 0.5) * 0.16);
            site["phone"] = Phone(rng, place.area_code);
            site["fax"] = Phone(rng, place.area_code);
            site["network"] = network_ids_[rng.Weighted({60, 20, 20})];
            site["isPrimaryLocation"] = location == 0;
            site["acceptingNewPatients"] = accepting;
            site["wheelchairAccessible"] = rng.Chance(0.9);
            site["officeHours"] =
                draft.kind == Kind::kHospital ? "Open 24 hours"
                : draft.kind == Kind::kUrgentCare
                    ? "Mon-Sun 8am-8pm"
                    : rng.Pick({"Mon-Fri 8am-5pm", "Mon-Fri 9am-6pm",
                                "Mon-Thu 7am-7pm, Fri 7am-3pm", "Mon-Fri 8am-5pm, Sat 9am-1pm"});
            site["effectiveDate"] = FormatDay(effective);
            draft.locations.push_back(json::serialize(site));
        }
        return draft;
    }

    Status WriteProviders() {
        for (auto& pools : pools_) {
            pools.resize(kCityCount + 1);
        }
        for (std::int64_t start = 0; start < provider_count_; start += options_.batch_size) {
            const std::int64_t end = std::min(provider_count_, start + options_.batch_size);
            std::vector<ProviderDraft> drafts;
            std::vector<std::string> lines;
            for (std::int64_t index = start; index < end; ++index) {
                drafts.push_back(DraftProvider(index));
                lines.push_back(drafts.back().line);
            }
            P360_ASSIGN_OR_RETURN(auto ids, writer_.Upsert("Provider", "npi", lines));
            std::vector<std::string> locations;
            for (std::size_t slot = 0; slot < drafts.size(); ++slot) {
                const std::size_t index = provider_ids_.size();
                const ProviderDraft& draft = drafts[slot];
                if (draft.active) {
                    auto& pools = pools_[static_cast<std::size_t>(draft.kind)];
                    pools[draft.city].push_back(index);
                    pools[kCityCount].push_back(index);
                }
                provider_ids_.push_back(std::move(ids[slot]));
                if (writer_.Skips("ProviderLocation")) {
                    continue;
                }
                // The provider reference goes first; the rest of the line is already encoded.
                for (const std::string& location : draft.locations) {
                    locations.push_back("{\"provider\":\"" + provider_ids_.back() + "\"," +
                                        location.substr(1));
                }
            }
            P360_TRY(
                writer_.Upsert("ProviderLocation", "sourceId", locations, KeyField::kIfDeclared));
        }
        return Ok();
    }

    // A provider of `kind`, near `city` when one is; falls back to primary care or a hospital,
    // which the first providers always include.
    std::size_t PickProvider(Random& rng, Kind kind, std::size_t city) const {
        const auto& pools = pools_[static_cast<std::size_t>(kind)];
        if (!pools[city].empty() && rng.Chance(0.85)) {
            return pools[city][rng.Index(pools[city].size())];
        }
        if (!pools[kCityCount].empty()) {
            return pools[kCityCount][rng.Index(pools[kCityCount].size())];
        }
        const Kind fallback = KindDef(kind).facility ? Kind::kHospital : Kind::kFamilyMedicine;
        const auto& backup = pools_[static_cast<std::size_t>(fallback)][kCityCount];
        return backup[rng.Index(backup.size())];
    }

    std::size_t PickPrimaryCare(Random& rng, int age, std::size_t city) const {
        if (age < 18 && rng.Chance(0.8)) {
            return PickProvider(rng, Kind::kPediatrics, city);
        }
        const Kind kinds[] = {Kind::kFamilyMedicine, Kind::kInternalMedicine,
                              Kind::kNursePractitioner};
        return PickProvider(
            rng, age >= 65 && rng.Chance(0.5) ? Kind::kInternalMedicine : rng.Pick(kinds), city);
    }

    bool IsPrimaryCare(std::size_t provider) const {
        for (Kind kind : {Kind::kFamilyMedicine, Kind::kInternalMedicine, Kind::kPediatrics,
                          Kind::kNursePractitioner}) {
            const auto& pool = pools_[static_cast<std::size_t>(kind)][kCityCount];
            if (std::binary_search(pool.begin(), pool.end(), provider)) {
                return true;
            }
        }
        return false;
    }

    // -- Households, people and everything about them ---------------------------------------

    HouseholdDraft DraftHousehold(std::int64_t index, std::int64_t first_person,
                                  std::int64_t remaining) const {
        Random rng(
            StreamSeed(options_.seed, Stream::kHousehold, static_cast<std::uint64_t>(index)));
        HouseholdDraft household;
        household.index = index;
        household.lob = static_cast<Lob>(rng.Weighted({55, 12, 15, 18}));

        int size = 1;
        switch (household.lob) {
            case Lob::kMedicareAdvantage:
                size = rng.Chance(0.4) ? 2 : 1;
                break;
            case Lob::kMedicaid:
                size = 1 + static_cast<int>(rng.Weighted({25, 20, 25, 18, 12}));
                break;
            default:
                size = 1 + static_cast<int>(rng.Weighted({28, 30, 17, 15, 10}));
                break;
        }
        size = static_cast<int>(std::min<std::int64_t>(size, remaining));
        const bool medicare = household.lob == Lob::kMedicareAdvantage;
        const bool spouse =
            size >= 2 && (medicare || rng.Chance(household.lob == Lob::kMedicaid ? 0.35 : 0.75));
        const int children = size - 1 - (spouse ? 1 : 0);

        switch (household.lob) {
            case Lob::kCommercial:
                household.plan = rng.Weighted({50, 30, 20});
                household.group = rng.Index(static_cast<std::size_t>(group_count_));
                break;
            case Lob::kMarketplace:
                household.plan = 3;
                break;
            case Lob::kMedicareAdvantage:
                household.plan = 4;
                break;
            case Lob::kMedicaid:
                household.plan = 5;
                break;
        }
        household.last_name = Surname(rng);
        household.address = RandomAddress(rng, rng.Index(kCityCount), true);
        const City& city = kCities[household.address.city];
        household.phone = Phone(rng, city.area_code);
        household.language = std::array<std::string_view, 7>{
            "en", "es", "zh", "vi", "ko", "tl", "ru"}[rng.Weighted({80, 13, 2, 2, 1, 1, 1})];

        // Ages at the reference date.
        int head_low = 22;
        int head_high = 64;
        switch (household.lob) {
            case Lob::kMedicareAdvantage:
                head_low = 65;
                head_high = 92;
                break;
            case Lob::kMedicaid:
                head_low = children > 0 ? 20 : 19;
                head_high = children > 0 ? 50 : 62;
                break;
            default:
                head_low = children > 0 ? 24 : 22;
                head_high = children > 0 ? 58 : 64;
                break;
        }
        const int head_age = rng.Int(head_low, head_high);
        const bool head_female = rng.Chance(0.5);
        std::vector<std::pair<Role, int>> members = {{Role::kHead, head_age}};
        int youngest_parent = head_age;
        if (spouse) {
            const int low = medicare ? 65 : 21;
            const int high = medicare ? 94 : 64;
            const int age = std::clamp(head_age + rng.Int(-6, 6), low, high);
            members.emplace_back(Role::kSpouse, age);
            youngest_parent = std::min(youngest_parent, age);
        }
        const int child_limit = household.lob == Lob::kMedicaid ? 18 : 25;
        for (int child = 0; child < children; ++child) {
            members.emplace_back(
                Role::kChild, rng.Int(0, std::max(0, std::min(child_limit, youngest_parent - 19))));
        }

        // Coverage: the household joins on the first of a month; Medicare members at 65.
        const Day joined = AddMonths(
            kEarliestCoverage, rng.Int(0, MonthsBetween(kEarliestCoverage, kReferenceDate) - 1));
        const bool wants_termination = rng.Chance(0.06);
        household.termination_reason = std::array<std::string_view, 5>{
            "voluntary", "loss-of-eligibility", "non-payment", "moved-out-of-area",
            "other"}[rng.Weighted({40, 25, 15, 15, 5})];

        for (std::size_t slot = 0; slot < members.size(); ++slot) {
            const auto [role, age] = members[slot];
            PersonDraft person;
            person.index = first_person + static_cast<std::int64_t>(slot);
            person.role = role;
            person.female = role == Role::kHead ? head_female
                            : role == Role::kSpouse
                                ? (rng.Chance(0.96) ? !head_female : head_female)
                                : rng.Chance(0.49);
            // Siblings and parents do not share a first name.
            for (int attempt = 0; attempt < 8; ++attempt) {
                person.first_name = std::string(FirstName(rng, person.female));
                bool taken = false;
                for (const PersonDraft& other : household.people) {
                    taken = taken || other.first_name == person.first_name;
                }
                if (!taken) {
                    break;
                }
            }
            if (rng.Chance(0.65)) {
                std::string_view middle = FirstName(rng, person.female);
                if (middle != person.first_name) {
                    person.middle_name = std::string(middle);
                } else if (rng.Chance(0.5)) {
                    person.middle_name = std::string(1, middle.front());
                }
            }
            const Day youngest = kReferenceDate - 1 - (static_cast<Day>(age) * 36525) / 100;
            person.birth = youngest - rng.Between(0, 364);
            person.ssn = Ssn(rng);

            const std::string_view domains[] = {"example.com", "example.net", "example.org"};
            if ((age >= 18 && rng.Chance(0.85)) || (age >= 13 && age < 18 && rng.Chance(0.4))) {
                AppendLower(person.email, person.first_name);
                person.email.push_back('.');
                AppendLower(person.email, household.last_name);
                person.email += std::to_string(person.index % 1000);
                person.email.push_back('@');
                person.email += rng.Pick(domains);
            }
            if (age >= 16 && rng.Chance(0.9)) {
                person.mobile = Phone(rng, city.area_code);
            }
            person.interpreter = household.language != "en" && age >= 18 && rng.Chance(0.35);
            person.do_not_contact = rng.Chance(0.03);
            const std::size_t method = rng.Weighted({40, 30, 15, 10, 5});
            person.contact_method = method == 0 && !person.email.empty()    ? "email"
                                    : method == 2 && !person.mobile.empty() ? "sms"
                                    : method == 3                           ? "mail"
                                    : method == 4                           ? "portal"
                                                                            : "phone";
            if (rng.Chance(0.85)) {
                person.pcp = PickPrimaryCare(rng, age, household.address.city);
            }

            person.effective = std::max(joined, person.birth);
            if (medicare) {
                person.effective =
                    std::max(person.effective, FirstOfMonth(Birthday(person.birth, 65)));
                person.medicare_id = MedicareId(rng);
            }
            if (household.lob == Lob::kMedicaid) {
                person.medicaid_id = std::string(city.state) + Digits(rng, 9);
            }
            // Medicare Advantage covers each person on their own; other plans cover the family
            // under the head of household.
            person.subscriber = medicare || role == Role::kHead;
            person.subscriber_slot = person.subscriber ? slot : 0;
            household.people.push_back(std::move(person));
        }

        // Coverage ends for the whole household, after everyone joined.
        std::optional<Day> termination;
        Day latest_start = 0;
        for (const PersonDraft& person : household.people) {
            latest_start = std::max(latest_start, person.effective);
        }
        const Day earliest_end = AddMonths(FirstOfMonth(latest_start), 6);
        const Day last_end = AddMonths(FirstOfMonth(kReferenceDate), -1);
        if (wants_termination && earliest_end < last_end) {
            const int months = MonthsBetween(earliest_end, last_end);
            termination = AddMonths(earliest_end, rng.Int(0, months)) - 1;  // a month's last day
        }
        for (PersonDraft& person : household.people) {
            person.termination = termination;
            person.status = termination ? "terminated" : "active";
            DraftCare(rng, household, person);
        }
        return household;
    }

    // Claims, conditions, medications, a case and interactions for one covered person.
    void DraftCare(Random& rng, const HouseholdDraft& household, PersonDraft& person) const {
        const Day window_start = std::max(person.effective, kClaimHistoryStart);
        const Day window_end =
            std::min(person.termination.value_or(kReferenceDate - 1), kReferenceDate - 1);
        if (window_start > window_end) {
            return;  // no coverage in the claims window: nothing to draft
        }
        const int age = AgeOn(person.birth, kReferenceDate);
        const std::size_t city = household.address.city;

        // Chronic conditions, which claims then carry as diagnoses.
        const double condition_chance = age < 18 ? 0.1 : age < 45 ? 0.28 : age < 65 ? 0.5 : 0.75;
        if (rng.Chance(condition_chance)) {
            const int wanted = 1 + rng.Int(0, age >= 45 ? 2 : 1);
            for (int attempt = 0;
                 attempt < wanted * 3 && static_cast<int>(person.conditions.size()) < wanted;
                 ++attempt) {
                const Diagnosis* diagnosis =
                    PickDiagnosis(rng, {Care::kChronic, Care::kBehavioral}, age, person.female);
                if (diagnosis == nullptr) {
                    break;
                }
                bool overlaps = false;
                for (const ConditionDraft& condition : person.conditions) {
                    overlaps = overlaps || condition.diagnosis->code.substr(0, 3) ==
                                               diagnosis->code.substr(0, 3);
                }
                if (!overlaps) {
                    person.conditions.push_back({diagnosis, 0, 0, "", ""});
                }
            }
        }

        // Claims: more for infants and older members, fewer for a short coverage window.
        const double yearly = age < 2    ? 3.2
                              : age < 18 ? 1.2
                              : age < 45 ? 1.45
                              : age < 65 ? 2.2
                                         : 3.3;
        const double mean = yearly * options_.claim_rate *
                            static_cast<double>(window_end - window_start + 1) / 365.0;
        const int claim_count =
            std::max(rng.Poisson(mean), static_cast<int>(person.conditions.size()));
        for (int ordinal = 0; ordinal < claim_count; ++ordinal) {
            const Diagnosis* primary = nullptr;
            if (ordinal < static_cast<int>(person.conditions.size())) {
                primary = person.conditions[static_cast<std::size_t>(ordinal)].diagnosis;
            } else if (!person.conditions.empty() && rng.Chance(0.45)) {
                primary = person.conditions[rng.Index(person.conditions.size())].diagnosis;
            } else {
                switch (rng.Weighted({25, 50, 15, 10})) {
                    case 0:
                        primary = PickDiagnosis(rng, {Care::kPreventive}, age, person.female);
                        break;
                    case 1:
                        primary = PickDiagnosis(rng, {Care::kAcute}, age, person.female);
                        break;
                    case 2:
                        primary = PickDiagnosis(rng, {Care::kInjury}, age, person.female);
                        break;
                    default:
                        primary = PickDiagnosis(rng, {Care::kScreening}, age, person.female);
                        break;
                }
                if (primary == nullptr) {
                    primary = PickDiagnosis(rng, {Care::kAcute}, age, person.female);
                }
            }
            const Day from = rng.Between(window_start, window_end);
            person.claims.push_back(
                DraftClaim(rng, household, person, ordinal, *primary, from, window_end, age, city));
        }
        std::sort(person.claims.begin(), person.claims.end(),
                  [](const ClaimDraft& a, const ClaimDraft& b) { return a.from < b.from; });
        for (std::size_t ordinal = 0; ordinal < person.claims.size(); ++ordinal) {
            person.claims[ordinal].ordinal = static_cast<int>(ordinal);
        }

        // Conditions as recorded from those claims.
        for (ConditionDraft& condition : person.conditions) {
            Day first_seen = window_end;
            for (const ClaimDraft& claim : person.claims) {
                if (std::find(claim.diagnoses.begin(), claim.diagnoses.end(),
                              condition.diagnosis) != claim.diagnoses.end()) {
                    first_seen = std::min(first_seen, claim.from);
                }
            }
            const Day earliest_onset =
                Birthday(person.birth, std::max(condition.diagnosis->min_age, 1));
            condition.recorded = first_seen;
            condition.onset = std::max(earliest_onset, first_seen - rng.Between(0, 3650));
            condition.onset = std::min(condition.onset, first_seen);
            condition.clinical_status = rng.Chance(0.93) ? "active" : "remission";
            condition.severity = std::array<std::string_view, 3>{
                "mild", "moderate", "severe"}[rng.Weighted({45, 40, 15})];
        }

        // Medications for conditions that have one; antibiotics after some infections.
        std::vector<Med> taken;
        for (const ConditionDraft& condition : person.conditions) {
            const Med med = condition.diagnosis->medication;
            if (med == Med::kNone || std::find(taken.begin(), taken.end(), med) != taken.end() ||
                !rng.Chance(0.7)) {
                continue;
            }
            taken.push_back(med);
            MedicationDraft draft;
            draft.medication = &kMedications[static_cast<std::size_t>(med)];
            draft.start = std::min(condition.onset + rng.Between(0, 60), kReferenceDate - 1);
            draft.prescriber = person.pcp.value_or(PickPrimaryCare(rng, age, city));
            draft.refills = rng.Int(0, 11);
            draft.source = rng.Chance(0.8) ? "pharmacy-claims" : "ehr";
            if (person.termination || rng.Chance(0.1)) {
                draft.status = "stopped";
                draft.end = std::min(person.termination.value_or(kReferenceDate - 1),
                                     draft.start + rng.Between(60, 720));
                draft.end = std::max(*draft.end, draft.start);
            } else {
                draft.status = "active";
            }
            person.medications.push_back(draft);
        }
        for (const ClaimDraft& claim : person.claims) {
            if (claim.primary->medication != Med::kAmoxicillin ||
                std::find(taken.begin(), taken.end(), Med::kAmoxicillin) != taken.end() ||
                !rng.Chance(0.12)) {
                continue;
            }
            taken.push_back(Med::kAmoxicillin);
            MedicationDraft draft;
            draft.medication = &kMedications[static_cast<std::size_t>(Med::kAmoxicillin)];
            draft.start = claim.from;
            draft.end = claim.from + 10;
            draft.status = *draft.end < kReferenceDate ? "completed" : "active";
            if (*draft.end >= kReferenceDate) {
                draft.end.reset();
            }
            draft.prescriber = claim.rendering;
            draft.source = "pharmacy-claims";
            person.medications.push_back(draft);
        }

        // Member service: a case for about one in ten, interactions for about one in five.
        if (rng.Chance(0.1)) {
            person.service_case = DraftCase(rng, person);
        }
        int interactions = 0;
        if (person.service_case) {
            interactions = 1 + rng.Int(0, 1);
        } else if (rng.Chance(0.11)) {
            interactions = rng.Int(1, 3);
        }
        for (int number = 0; number < interactions; ++number) {
            person.interactions.push_back(DraftInteraction(rng, person, number == 0));
        }
    }

    ClaimDraft DraftClaim(Random& rng, const HouseholdDraft& household, const PersonDraft& person,
                          int ordinal, const Diagnosis& primary, Day from, Day window_end, int age,
                          std::size_t city) const {
        const PlanDef& plan = kPlans[household.plan];
        ClaimDraft claim;
        claim.ordinal = ordinal;
        claim.from = from;
        claim.to = from;
        claim.primary = &primary;
        claim.diagnoses.push_back(&primary);
        for (const ConditionDraft& condition : person.conditions) {
            if (condition.diagnosis != &primary && claim.diagnoses.size() < 4 && rng.Chance(0.5)) {
                claim.diagnoses.push_back(condition.diagnosis);
            }
        }
        claim.in_network = rng.Chance(plan.out_of_network_benefits ? 0.9 : 0.97);
        claim.place_of_service = "11";
        const std::size_t primary_care = person.pcp.value_or(PickPrimaryCare(rng, age, city));
        claim.rendering = primary_care;
        claim.billing = primary_care;

        std::vector<std::string_view> codes;
        auto add_workup = [&](double chance) {
            for (std::string_view code : primary.workup) {
                if (!code.empty() && codes.size() < 4 && rng.Chance(chance) &&
                    std::find(codes.begin(), codes.end(), code) == codes.end()) {
                    codes.push_back(code);
                }
            }
        };
        auto add_draw = [&] {
            const bool has_lab = std::any_of(codes.begin(), codes.end(), [](std::string_view code) {
                return ProcedureFor(code).kind == ProcedureKind::kLab && code != "87880" &&
                       code != "81002";
            });
            if (has_lab && codes.size() < 4 &&
                std::find(codes.begin(), codes.end(), "36415") == codes.end()) {
                codes.push_back("36415");
            }
        };

        const bool admitted = !primary.drg.empty() && age >= 40 && rng.Chance(0.12);
        const bool emergency = !admitted && primary.emergency && rng.Chance(0.2);
        if (admitted) {
            const int stay = static_cast<int>(std::min<Day>(rng.Int(2, 6), window_end - from));
            claim.institutional = true;
            claim.place_of_service = "21";
            claim.type_of_bill = "0111";
            claim.admission = from;
            claim.discharge = from + stay;
            claim.to = from + stay;
            claim.billing = PickProvider(rng, Kind::kHospital, city);
            claim.rendering = PickProvider(rng, Kind::kInternalMedicine, city);
            codes = {"99223"};
            if (stay > 1) {
                codes.push_back("99232");
            }
            codes.push_back("85025");
            codes.push_back("80053");
        } else if (emergency) {
            claim.institutional = true;
            claim.place_of_service = "23";
            claim.type_of_bill = "0131";
            claim.billing = PickProvider(rng, Kind::kHospital, city);
            claim.rendering = PickProvider(rng, Kind::kEmergencyMedicine, city);
            codes = {rng.Chance(0.5) ? "99284" : "99283"};
            add_workup(0.9);
            add_draw();
        } else {
            switch (primary.care) {
                case Care::kPreventive:
                    codes = {age >= 65   ? "G0439"
                             : age >= 40 ? "99396"
                             : age >= 18 ? "99395"
                             : age >= 12 ? "99394"
                             : age >= 5  ? "99393"
                                         : "99391"};
                    add_workup(0.7);
                    add_draw();
                    break;
                case Care::kScreening:
                    if (primary.specialist != Kind::kFamilyMedicine) {
                        claim.rendering = PickProvider(rng, primary.specialist, city);
                        claim.billing = claim.rendering;
                    }
                    add_workup(1.0);
                    if (primary.code == "Z1211") {
                        claim.institutional = true;
                        claim.place_of_service = "24";
                        claim.type_of_bill = "0831";
                        claim.billing = PickProvider(rng, Kind::kSurgeryCenter, city);
                    } else if (primary.code == "Z1231") {
                        claim.place_of_service = "22";
                    }
                    break;
                case Care::kBehavioral:
                    claim.rendering = PickProvider(rng, primary.specialist, city);
                    claim.billing = claim.rendering;
                    codes = {primary.code == "F909" ? "99214" : "90834"};
                    if (rng.Chance(0.35)) {
                        claim.place_of_service = "10";  // telehealth in the patient's home
                    }
                    break;
                default: {
                    const bool specialist = primary.specialist != Kind::kFamilyMedicine &&
                                            rng.Chance(primary.care == Care::kChronic ? 0.4 : 0.25);
                    if (specialist) {
                        claim.rendering = PickProvider(rng, primary.specialist, city);
                        claim.billing = claim.rendering;
                    }
                    codes = {primary.care == Care::kChronic && rng.Chance(0.5) ? "99214" : "99213"};
                    add_workup(0.6);
                    add_draw();
                    break;
                }
            }
        }
        if (codes.empty()) {
            codes.push_back("99213");
        }

        const bool specialist_visit = !IsPrimaryCare(claim.rendering);
        for (std::string_view code : codes) {
            ClaimLineDraft line;
            line.procedure = &ProcedureFor(code);
            line.service = claim.from;
            if (code == "99232") {
                line.units = static_cast<int>(claim.to - claim.from) - 1;
                line.service = claim.from + 1;
            } else if (code == "97110") {
                line.units = rng.Int(2, 4);
            }
            if (claim.place_of_service == "10") {
                line.modifier = "95";
            }
            line.billed = line.procedure->price_cents * line.units * rng.Int(95, 135) / 100;
            claim.lines.push_back(line);
        }

        // Adjudication follows the calendar: recent claims are still in process.
        claim.received = std::min(claim.to + rng.Between(1, 21), kReferenceDate);
        const Day adjudicated = claim.received + rng.Between(2, 25);
        const Day paid_on = adjudicated + rng.Between(3, 14);
        if (adjudicated > kReferenceDate) {
            claim.status = std::array<std::string_view, 3>{"received", "pended",
                                                           "in-review"}[rng.Weighted({40, 30, 30})];
        } else if (paid_on > kReferenceDate) {
            claim.status = rng.Chance(0.1) ? "denied" : "approved";
            claim.adjudicated = adjudicated;
        } else {
            claim.status = std::array<std::string_view, 4>{"paid", "denied", "partially-paid",
                                                           "adjusted"}[rng.Weighted({82, 7, 6, 5})];
            claim.adjudicated = adjudicated;
            if (claim.status == "partially-paid" && claim.lines.size() < 2) {
                claim.status = "paid";
            }
            if (claim.status != "denied") {
                claim.paid_on = paid_on;
            }
        }
        if (claim.status == "denied" || claim.status == "partially-paid") {
            claim.denial = &rng.Pick(kDenials);
        }
        Price(rng, plan, specialist_visit, claim);
        return claim;
    }

    // Amounts per line: billed > allowed >= paid, with the plan's cost sharing in between.
    static void Price(Random& rng, const PlanDef& plan, bool specialist_visit, ClaimDraft& claim) {
        const bool adjudicated = claim.adjudicated.has_value();
        for (std::size_t index = 0; index < claim.lines.size(); ++index) {
            ClaimLineDraft& line = claim.lines[index];
            const bool denied = claim.status == "denied" || (claim.status == "partially-paid" &&
                                                             index + 1 == claim.lines.size());
            if (!adjudicated) {
                line.status = "pended";
                continue;
            }
            if (denied) {
                line.status = "denied";
                line.denial_code = claim.denial->code;
                line.allowed = 0;
                line.paid = 0;
                line.member = 0;
                continue;
            }
            line.status = claim.status == "approved"   ? "approved"
                          : claim.status == "adjusted" ? "adjusted"
                                                       : "paid";
            const int ratio = claim.in_network ? rng.Int(40, 75) : rng.Int(25, 50);
            line.allowed = line.billed * ratio / 100;
            const int coinsurance = plan.coinsurance + (claim.in_network ? 0 : 20);
            switch (line.procedure->kind) {
                case ProcedureKind::kPreventive:
                    break;
                case ProcedureKind::kVisit:
                    line.copay = (specialist_visit ? plan.specialist_copay : plan.primary_copay) *
                                 100 * (claim.in_network ? 1 : 2);
                    break;
                case ProcedureKind::kEmergency:
                    line.copay = plan.emergency_copay * 100;
                    break;
                case ProcedureKind::kTherapy:
                    line.copay = plan.specialist_copay * 100;
                    break;
                default:
                    line.coinsurance = line.allowed * coinsurance / 100;
                    break;
            }
            line.copay = std::min(line.copay, line.allowed);
            line.coinsurance = std::min(line.coinsurance, line.allowed - line.copay);
            line.member = line.copay + line.coinsurance;
            if (claim.status != "approved") {
                line.paid = line.allowed - line.member;
            }
        }
    }

    CaseDraft DraftCase(Random& rng, const PersonDraft& person) const {
        CaseDraft draft;
        int total = 0;
        for (const CaseTemplate& kind : kCaseTemplates) {
            total += kind.weight;
        }
        int roll = rng.Int(0, total - 1);
        const CaseTemplate* kind = &kCaseTemplates[0];
        for (const CaseTemplate& candidate : kCaseTemplates) {
            if (roll < candidate.weight) {
                kind = &candidate;
                break;
            }
            roll -= candidate.weight;
        }
        // Claim cases need a claim (a denied one for appeals); without one, a benefit question.
        if (kind->about_claim) {
            std::vector<int> fitting;
            for (const ClaimDraft& claim : person.claims) {
                if (!kind->about_denial || claim.denial != nullptr) {
                    fitting.push_back(claim.ordinal);
                }
            }
            if (fitting.empty() && kind->about_denial) {
                kind = &kCaseTemplates[0];
                for (const ClaimDraft& claim : person.claims) {
                    fitting.push_back(claim.ordinal);
                }
            }
            if (fitting.empty()) {
                kind = &kCaseTemplates[2];
            } else {
                draft.claim = fitting[rng.Index(fitting.size())];
            }
        }
        draft.kind = kind;
        if (kind->about_provider && person.pcp) {
            draft.provider = person.pcp;
        }
        const bool appeal = kind->type == "appeal" || kind->type == "grievance";
        draft.expedited = appeal && rng.Chance(0.2);
        draft.priority =
            draft.expedited ? "urgent"
                            : std::array<std::string_view, 4>{
                                  "low", "medium", "high", "urgent"}[rng.Weighted({20, 55, 20, 5})];
        if (appeal && draft.priority == "low") {
            draft.priority = "high";
        }
        draft.origin = std::array<std::string_view, 7>{"phone", "portal", "email", "chat",
                                                       "web",   "mail",   "fax"}[rng.Weighted(
            {50, 15, 10, 15, 5, 3, 2})];
        draft.requester = std::array<std::string_view, 3>{"member", "authorized-representative",
                                                          "provider"}[rng.Weighted({85, 10, 5})];

        // Closed cases reach back half a year; open ones are recent.
        draft.status =
            std::array<std::string_view, 5>{"closed", "new", "working", "waiting-on-member",
                                            "escalated"}[rng.Weighted({55, 10, 20, 10, 5})];
        const bool open = draft.status != "closed";
        Day opened_on = kReferenceDate - rng.Between(1, open ? 21 : 180);
        if (draft.claim >= 0) {
            const ClaimDraft& claim = person.claims[static_cast<std::size_t>(draft.claim)];
            opened_on = std::max(opened_on, claim.adjudicated.value_or(claim.received));
            opened_on = std::min(opened_on, kReferenceDate - 1);
        }
        draft.opened = At(opened_on, rng.Int(8, 17), rng.Int(0, 59));
        const int days = draft.expedited ? 3 : kind->days_to_resolve;
        draft.due = draft.opened + static_cast<Instant>(days) * 86400;
        if (!open) {
            // Closed at least an hour after opening, usually within the service level.
            const Instant now = At(kReferenceDate, 0, 0);
            const Instant deadline = rng.Chance(0.9) ? draft.due : now - 60;  // some run late
            const Instant latest = std::max(draft.opened + 3600, std::min(now - 60, deadline));
            draft.closed = draft.opened + rng.Between(3600, latest - draft.opened);
            if (appeal) {
                draft.resolution_code =
                    std::array<std::string_view, 4>{"upheld", "overturned", "partially-overturned",
                                                    "withdrawn"}[rng.Weighted({50, 30, 10, 10})];
            } else {
                draft.resolution_code = rng.Chance(0.95) ? "resolved" : "duplicate";
            }
        }
        return draft;
    }

    InteractionDraft DraftInteraction(Random& rng, const PersonDraft& person, bool first) const {
        InteractionDraft draft;
        if (first && person.service_case) {
            const CaseDraft& service_case = *person.service_case;
            draft.about_case = true;
            const std::string_view origin = service_case.origin;
            draft.channel = origin == "web" ? "portal" : origin;
            draft.direction = "inbound";
            draft.caller = service_case.requester;
            draft.queue = service_case.kind->queue;
            draft.outcome = "case-created";
            draft.summary = service_case.kind->description;
            draft.started = service_case.opened - rng.Int(60, 900);
        } else {
            const InteractionTopic& topic = rng.Pick(kInteractionTopics);
            const bool outreach = topic.queue == "Care Management";
            draft.channel =
                outreach ? std::array<std::string_view, 3>{"phone", "sms",
                                                           "email"}[rng.Weighted({70, 20, 10})]
                         : std::array<std::string_view, 6>{"phone",  "chat", "email",
                                                           "portal", "sms",  "video"}[rng.Weighted(
                               {60, 15, 10, 10, 3, 2})];
            draft.direction = outreach ? "outbound" : "inbound";
            draft.caller =
                outreach ? "member"
                         : std::array<std::string_view, 3>{"member", "authorized-representative",
                                                           "provider"}[rng.Weighted({85, 10, 5})];
            draft.queue = topic.queue;
            draft.summary = topic.summary;
            draft.outcome =
                outreach ? std::array<std::string_view, 3>{"resolved", "voicemail",
                                                           "no-answer"}[rng.Weighted({50, 30, 20})]
                         : std::array<std::string_view, 4>{
                               "resolved", "transferred", "callback-scheduled",
                               "abandoned"}[rng.Weighted({80, 10, 5, 5})];
            draft.started =
                At(kReferenceDate - rng.Between(1, 365), rng.Int(8, 19), rng.Int(0, 59)) +
                rng.Int(0, 59);
        }
        const std::string_view channel = draft.channel;
        draft.handle_seconds = channel == "phone"   ? rng.Int(180, 1200)
                               : channel == "chat"  ? rng.Int(300, 1500)
                               : channel == "video" ? rng.Int(600, 1800)
                               : channel == "sms"   ? rng.Int(30, 180)
                                                    : rng.Int(60, 600);
        if (draft.outcome == "no-answer" || draft.outcome == "voicemail") {
            draft.handle_seconds = rng.Int(20, 90);
        }
        if (draft.direction == "inbound" && (channel == "phone" || channel == "chat")) {
            draft.wait_seconds = rng.Int(0, channel == "phone" ? 420 : 120);
        }
        if (draft.outcome == "abandoned") {
            draft.handle_seconds = 0;
        }
        return draft;
    }

    // -- Writing a chunk of households -----------------------------------------------------

    Status WriteMembers() {
        std::vector<HouseholdDraft> chunk;
        std::int64_t chunk_people = 0;
        std::int64_t next_person = 0;
        for (std::int64_t index = 0; next_person < options_.members; ++index) {
            chunk.push_back(DraftHousehold(index, next_person, options_.members - next_person));
            const auto size = static_cast<std::int64_t>(chunk.back().people.size());
            next_person += size;
            chunk_people += size;
            if (chunk_people >= options_.batch_size) {
                P360_TRY(WriteChunk(chunk));
                chunk.clear();
                chunk_people = 0;
            }
        }
        if (!chunk.empty()) {
            P360_TRY(WriteChunk(chunk));
        }
        return Ok();
    }

    Status WriteChunk(const std::vector<HouseholdDraft>& households) {
        // Households, then the people in them.
        std::vector<std::string> lines;
        for (const HouseholdDraft& household : households) {
            lines.push_back(HouseholdLine(household));
        }
        P360_ASSIGN_OR_RETURN(auto household_ids, writer_.Upsert("Household", "sourceId", lines));

        struct Member {
            const HouseholdDraft* household;
            const PersonDraft* person;
            std::size_t household_slot;
            std::size_t first_in_household;  // index in `members` of the household's head
        };
        std::vector<Member> members;
        lines.clear();
        for (std::size_t slot = 0; slot < households.size(); ++slot) {
            const std::size_t first = members.size();
            for (const PersonDraft& person : households[slot].people) {
                members.push_back({&households[slot], &person, slot, first});
                lines.push_back(PersonLine(households[slot], person, household_ids[slot]));
            }
        }
        P360_ASSIGN_OR_RETURN(auto person_ids, writer_.Upsert("Person", "sourceId", lines));

        if (!writer_.Skips("HouseholdMember")) {
            lines.clear();
            for (std::size_t index = 0; index < members.size(); ++index) {
                const PersonDraft& person = *members[index].person;
                json::object line;
                line["sourceId"] = Key("hhm", person.index);
                line["household"] = household_ids[members[index].household_slot];
                line["person"] = person_ids[index];
                line["role"] = person.role == Role::kHead     ? "head"
                               : person.role == Role::kSpouse ? "spouse"
                                                              : "dependent";
                line["isPrimaryContact"] = person.role == Role::kHead;
                line["startDate"] = FormatDay(person.effective);
                if (person.termination) {
                    line["endDate"] = FormatDay(*person.termination);
                }
                lines.push_back(json::serialize(line));
            }
            P360_TRY(writer_.Upsert("HouseholdMember", "sourceId", lines, KeyField::kIfDeclared));
        }

        // Coverage: subscribers first, so that dependents can point at their subscriber's plan.
        std::vector<std::string> member_plan_ids(members.size());
        for (const bool subscribers : {true, false}) {
            std::vector<std::size_t> order;
            lines.clear();
            for (std::size_t index = 0; index < members.size(); ++index) {
                const PersonDraft& person = *members[index].person;
                if (person.subscriber != subscribers) {
                    continue;
                }
                const std::size_t subscriber =
                    members[index].first_in_household + person.subscriber_slot;
                order.push_back(index);
                lines.push_back(MemberPlanLine(*members[index].household, person, person_ids[index],
                                               *members[subscriber].person,
                                               member_plan_ids[subscriber]));
            }
            P360_ASSIGN_OR_RETURN(auto ids, writer_.Upsert("MemberPlan", "memberId", lines));
            for (std::size_t slot = 0; slot < order.size(); ++slot) {
                member_plan_ids[order[slot]] = std::move(ids[slot]);
            }
        }

        // Claims, then their lines.
        std::vector<std::size_t> first_claim(members.size());
        lines.clear();
        for (std::size_t index = 0; index < members.size(); ++index) {
            first_claim[index] = lines.size();
            for (const ClaimDraft& claim : members[index].person->claims) {
                lines.push_back(ClaimLine(*members[index].person, claim, person_ids[index],
                                          member_plan_ids[index]));
            }
        }
        P360_ASSIGN_OR_RETURN(auto claim_ids, writer_.Upsert("Claim", "claimNumber", lines));
        if (!writer_.Skips("ClaimLine")) {
            lines.clear();
            for (std::size_t index = 0; index < members.size(); ++index) {
                const PersonDraft& person = *members[index].person;
                for (const ClaimDraft& claim : person.claims) {
                    const std::string& claim_id =
                        claim_ids[first_claim[index] + static_cast<std::size_t>(claim.ordinal)];
                    for (std::size_t number = 0; number < claim.lines.size(); ++number) {
                        lines.push_back(
                            ClaimLineLine(person, claim, number, claim_id, person_ids[index]));
                    }
                }
            }
            P360_TRY(writer_.Upsert("ClaimLine", "sourceId", lines, KeyField::kIfDeclared));
        }

        // Clinical facts.
        lines.clear();
        for (std::size_t index = 0; index < members.size(); ++index) {
            const PersonDraft& person = *members[index].person;
            for (std::size_t number = 0; number < person.conditions.size(); ++number) {
                lines.push_back(ConditionLine(person, number, person_ids[index]));
            }
        }
        P360_TRY(writer_.Upsert("Condition", "sourceId", lines));
        lines.clear();
        for (std::size_t index = 0; index < members.size(); ++index) {
            const PersonDraft& person = *members[index].person;
            for (std::size_t number = 0; number < person.medications.size(); ++number) {
                lines.push_back(MedicationLine(person, number, person_ids[index]));
            }
        }
        P360_TRY(writer_.Upsert("Medication", "sourceId", lines));

        // Service: cases, then the interactions that opened them.
        std::vector<std::size_t> with_case;
        lines.clear();
        for (std::size_t index = 0; index < members.size(); ++index) {
            const PersonDraft& person = *members[index].person;
            if (!person.service_case) {
                continue;
            }
            const int claim = person.service_case->claim;
            with_case.push_back(index);
            lines.push_back(CaseLine(
                person, person_ids[index], member_plan_ids[index],
                claim >= 0 ? claim_ids[first_claim[index] + static_cast<std::size_t>(claim)]
                           : std::string()));
        }
        P360_ASSIGN_OR_RETURN(auto case_ids, writer_.Upsert("Case", "caseNumber", lines));
        std::vector<const std::string*> case_of(members.size(), nullptr);
        for (std::size_t slot = 0; slot < with_case.size(); ++slot) {
            case_of[with_case[slot]] = &case_ids[slot];
        }
        lines.clear();
        for (std::size_t index = 0; index < members.size(); ++index) {
            const PersonDraft& person = *members[index].person;
            for (std::size_t number = 0; number < person.interactions.size(); ++number) {
                lines.push_back(InteractionLine(person, number, person_ids[index], case_of[index]));
            }
        }
        P360_TRY(writer_.Upsert("Interaction", "externalInteractionId", lines));
        return Ok();
    }

    std::string HouseholdLine(const HouseholdDraft& household) const {
        const bool terminated = household.people.front().termination.has_value();
        json::object line;
        line["sourceId"] = Key("hh", household.index);
        line["name"] = household.last_name + " household";
        line["status"] = terminated ? "inactive" : "active";
        line["phone"] = household.phone;
        PutAddress(line, household.address);
        line["primaryLanguage"] = household.language;
        return json::serialize(line);
    }

    std::string PersonLine(const HouseholdDraft& household, const PersonDraft& person,
                           const std::string& household_id) const {
        const City& city = kCities[household.address.city];
        bool recent_care = false;
        for (const ClaimDraft& claim : person.claims) {
            recent_care = recent_care || claim.from >= kReferenceDate - 60;
        }
        json::object line;
        line["sourceId"] = Key("per", person.index);
        line["firstName"] = person.first_name;
        if (!person.middle_name.empty()) {
            line["middleName"] = person.middle_name;
        }
        line["lastName"] = household.last_name;
        line["birthDate"] = FormatDay(person.birth);
        line["gender"] = person.female ? "female" : "male";
        line["ssn"] = person.ssn;
        if (!person.medicare_id.empty()) {
            line["medicareBeneficiaryId"] = person.medicare_id;
        }
        if (!person.medicaid_id.empty()) {
            line["medicaidId"] = person.medicaid_id;
        }
        if (!person.email.empty()) {
            line["email"] = person.email;
        }
        line["phone"] = household.phone;
        if (!person.mobile.empty()) {
            line["mobilePhone"] = person.mobile;
        }
        PutAddress(line, household.address);
        line["county"] = city.county;
        line["preferredLanguage"] = household.language;
        line["interpreterNeeded"] = person.interpreter;
        line["preferredContactMethod"] = person.contact_method;
        line["doNotContact"] = person.do_not_contact;
        line["lifecycleStage"] = person.termination ? "former" : recent_care ? "patient" : "member";
        line["household"] = household_id;
        if (person.pcp) {
            line["primaryCareProvider"] = provider_ids_[*person.pcp];
        }
        return json::serialize(line);
    }

    std::string MemberPlanLine(const HouseholdDraft& household, const PersonDraft& person,
                               const std::string& person_id, const PersonDraft& subscriber,
                               const std::string& subscriber_plan_id) const {
        json::object line;
        line["memberId"] = MemberId(person.index);
        line["person"] = person_id;
        line["plan"] = plan_ids_[household.plan];
        line["subscriberId"] = MemberId(subscriber.index);
        line["relationshipToSubscriber"] = person.subscriber              ? "self"
                                           : person.role == Role::kSpouse ? "spouse"
                                                                          : "child";
        line["isSubscriber"] = person.subscriber;
        if (!person.subscriber) {
            line["subscriberPlan"] = subscriber_plan_id;
        }
        if (household.group) {
            line["groupNumber"] = GroupNumber(static_cast<std::int64_t>(*household.group));
            line["employerGroup"] = group_ids_[*household.group];
        }
        line["lineOfBusiness"] = LobName(household.lob);
        line["coverageType"] = "medical";
        line["effectiveDate"] = FormatDay(person.effective);
        if (person.termination) {
            line["terminationDate"] = FormatDay(*person.termination);
            line["terminationReason"] = household.termination_reason;
        }
        line["status"] = person.status;
        line["priority"] = "primary";
        if (person.pcp) {
            line["primaryCareProvider"] = provider_ids_[*person.pcp];
        }
        const Day verified = person.termination.value_or(kReferenceDate - 1 - (person.index % 30));
        line["lastVerifiedAt"] = FormatInstant(At(verified, 6, 0));
        return json::serialize(line);
    }

    std::string ClaimNumber(const PersonDraft& person, const ClaimDraft& claim) const {
        return "C" + tag_ + "-" + Padded(static_cast<std::uint64_t>(person.index), 9) + "-" +
               Padded(static_cast<std::uint64_t>(claim.ordinal), 2);
    }

    std::string ClaimLine(const PersonDraft& person, const ClaimDraft& claim,
                          const std::string& person_id, const std::string& member_plan_id) const {
        std::int64_t billed = 0;
        std::int64_t allowed = 0;
        std::int64_t paid = 0;
        std::int64_t member = 0;
        std::int64_t copay = 0;
        std::int64_t coinsurance = 0;
        for (const ClaimLineDraft& line : claim.lines) {
            billed += line.billed;
            allowed += std::max<std::int64_t>(line.allowed, 0);
            paid += std::max<std::int64_t>(line.paid, 0);
            member += std::max<std::int64_t>(line.member, 0);
            copay += line.copay;
            coinsurance += line.coinsurance;
        }
        std::string diagnoses;
        for (const Diagnosis* diagnosis : claim.diagnoses) {
            diagnoses += diagnoses.empty() ? "" : ",";
            diagnoses += diagnosis->code;
        }
        json::object line;
        line["claimNumber"] = ClaimNumber(person, claim);
        line["person"] = person_id;
        line["memberPlan"] = member_plan_id;
        line["claimType"] = claim.institutional ? "institutional" : "professional";
        line["status"] = claim.status;
        line["serviceFromDate"] = FormatDay(claim.from);
        line["serviceToDate"] = FormatDay(claim.to);
        if (claim.admission) {
            line["admissionDate"] = FormatDay(*claim.admission);
            line["dischargeDate"] = FormatDay(*claim.discharge);
            line["drgCode"] = claim.primary->drg;
        }
        line["billingProvider"] = provider_ids_[claim.billing];
        line["renderingProvider"] = provider_ids_[claim.rendering];
        line["inNetwork"] = claim.in_network;
        line["placeOfService"] = claim.place_of_service;
        if (!claim.type_of_bill.empty()) {
            line["typeOfBill"] = claim.type_of_bill;
        }
        line["primaryDiagnosis"] = claim.primary->code;
        line["diagnosisCodes"] = diagnoses;
        line["billedAmount"] = Money(billed);
        if (claim.adjudicated) {
            line["allowedAmount"] = Money(allowed);
            line["memberResponsibility"] = Money(member);
            line["copayAmount"] = Money(copay);
            line["coinsuranceAmount"] = Money(coinsurance);
            line["adjudicatedDate"] = FormatDay(*claim.adjudicated);
        }
        if (claim.paid_on || claim.status == "denied") {
            line["paidAmount"] = Money(paid);
        }
        if (claim.paid_on) {
            line["paidDate"] = FormatDay(*claim.paid_on);
        }
        if (claim.denial != nullptr) {
            line["denialReason"] = claim.denial->text;
        }
        line["receivedDate"] = FormatDay(claim.received);
        return json::serialize(line);
    }

    std::string ClaimLineLine(const PersonDraft& person, const ClaimDraft& claim,
                              std::size_t number, const std::string& claim_id,
                              const std::string& person_id) const {
        const ClaimLineDraft& draft = claim.lines[number];
        json::object line;
        line["sourceId"] = Key("cll", person.index) + "-" + std::to_string(claim.ordinal) + "-" +
                           std::to_string(number + 1);
        line["claim"] = claim_id;
        line["person"] = person_id;
        line["lineNumber"] = static_cast<std::int64_t>(number + 1);
        line["procedureCode"] = draft.procedure->code;
        if (!draft.modifier.empty()) {
            line["modifier"] = draft.modifier;
        }
        if (claim.institutional) {
            line["revenueCode"] = draft.procedure->revenue_code;
        }
        line["diagnosisCodes"] = claim.primary->code;
        line["serviceDate"] = FormatDay(draft.service);
        if (draft.procedure->code == "99232") {
            line["serviceToDate"] = FormatDay(claim.to - 1);
        }
        line["placeOfService"] = claim.place_of_service;
        line["units"] = draft.units;
        line["billedAmount"] = Money(draft.billed);
        if (draft.allowed >= 0) {
            line["allowedAmount"] = Money(draft.allowed);
            line["memberResponsibility"] = Money(draft.member);
        }
        if (draft.paid >= 0) {
            line["paidAmount"] = Money(draft.paid);
        }
        line["status"] = draft.status;
        if (!draft.denial_code.empty()) {
            line["denialReasonCode"] = draft.denial_code;
        }
        return json::serialize(line);
    }

    std::string ConditionLine(const PersonDraft& person, std::size_t number,
                              const std::string& person_id) const {
        const ConditionDraft& condition = person.conditions[number];
        json::object line;
        line["sourceId"] = Key("cnd", person.index) + "-" + std::to_string(number);
        line["person"] = person_id;
        line["code"] = condition.diagnosis->code;
        line["codeSystem"] = "icd-10-cm";
        line["description"] = condition.diagnosis->description;
        line["category"] = "problem-list-item";
        line["clinicalStatus"] = condition.clinical_status;
        line["verificationStatus"] = "confirmed";
        line["severity"] = condition.severity;
        line["onsetDate"] = FormatDay(condition.onset);
        line["recordedDate"] = FormatDay(condition.recorded);
        line["source"] = "claims";
        return json::serialize(line);
    }

    std::string MedicationLine(const PersonDraft& person, std::size_t number,
                               const std::string& person_id) const {
        const MedicationDraft& draft = person.medications[number];
        const MedicationDef& medication = *draft.medication;
        json::object line;
        line["sourceId"] = Key("med", person.index) + "-" + std::to_string(number);
        line["person"] = person_id;
        line["code"] = medication.rxcui;
        line["ndcCode"] = medication.ndc;
        line["name"] = medication.name;
        line["dosage"] = medication.dosage;
        line["quantity"] = medication.quantity;
        line["daysSupply"] = medication.days_supply;
        line["refills"] = draft.refills;
        line["status"] = draft.status;
        line["startDate"] = FormatDay(draft.start);
        if (draft.end) {
            line["endDate"] = FormatDay(*draft.end);
        }
        line["prescriber"] = provider_ids_[draft.prescriber];
        line["source"] = draft.source;
        return json::serialize(line);
    }

    std::string CaseLine(const PersonDraft& person, const std::string& person_id,
                         const std::string& member_plan_id, const std::string& claim_id) const {
        const CaseDraft& draft = *person.service_case;
        json::object line;
        line["caseNumber"] =
            "CS" + tag_ + "-" + Padded(static_cast<std::uint64_t>(person.index), 9);
        line["person"] = person_id;
        line["memberPlan"] = member_plan_id;
        if (draft.provider) {
            line["provider"] = provider_ids_[*draft.provider];
        }
        if (!claim_id.empty()) {
            line["claim"] = claim_id;
        }
        line["subject"] = draft.kind->subject;
        line["description"] = draft.kind->description;
        line["type"] = draft.kind->type;
        line["status"] = draft.status;
        line["priority"] = draft.priority;
        line["origin"] = draft.origin;
        line["requesterType"] = draft.requester;
        line["isExpedited"] = draft.expedited;
        line["dueAt"] = FormatInstant(draft.due);
        if (draft.closed) {
            line["closedAt"] = FormatInstant(*draft.closed);
            line["resolution"] = draft.kind->resolution;
            line["resolutionCode"] = draft.resolution_code;
        }
        return json::serialize(line);
    }

    std::string InteractionLine(const PersonDraft& person, std::size_t number,
                                const std::string& person_id, const std::string* case_id) const {
        const InteractionDraft& draft = person.interactions[number];
        json::object line;
        line["externalInteractionId"] = Key("int", person.index) + "-" + std::to_string(number);
        line["person"] = person_id;
        if (draft.about_case && case_id != nullptr) {
            line["case"] = *case_id;
        }
        line["channel"] = draft.channel;
        line["direction"] = draft.direction;
        line["callerType"] = draft.caller;
        line["startedAt"] = FormatInstant(draft.started);
        line["endedAt"] = FormatInstant(draft.started + draft.handle_seconds + draft.wait_seconds);
        line["handleTimeSeconds"] = draft.handle_seconds;
        if (draft.direction == "inbound") {
            line["waitTimeSeconds"] = draft.wait_seconds;
        }
        line["queue"] = draft.queue;
        line["outcome"] = draft.outcome;
        line["summary"] = draft.summary;
        return json::serialize(line);
    }

    const DemoOptions options_;
    const std::string tag_;
    DemoSummary summary_;
    Writer writer_;
    std::string_view brand_;
    std::size_t headquarters_ = 0;
    std::int64_t group_count_ = 0;
    std::int64_t provider_count_ = 0;

    std::string payer_id_;
    std::vector<std::string> group_ids_;
    std::vector<std::string> network_ids_;
    std::vector<std::string> plan_ids_;
    std::vector<std::string> provider_ids_;
    // Active providers by kind, then by city (the last entry holds every city), ascending.
    std::array<std::vector<std::vector<std::size_t>>, kKindCount> pools_;
};

}  // namespace

std::string DemoSummary::ToText() const {
    static constexpr std::string_view kOrder[] = {
        "Person",  "Household",   "HouseholdMember", "MemberPlan",
        "Claim",   "ClaimLine",   "Condition",       "Medication",
        "Case",    "Interaction", "Account",         "Plan",
        "Benefit", "Network",     "Provider",        "ProviderLocation",
    };
    std::string text;
    auto append = [&](std::string_view object, std::int64_t count) {
        if (!text.empty()) {
            text += ", ";
        }
        text += object;
        text += ' ';
        text += std::to_string(count);
    };
    for (std::string_view object : kOrder) {
        const auto found = records_by_object.find(std::string(object));
        if (found != records_by_object.end()) {
            append(object, found->second);
        }
    }
    for (const auto& [object, count] : records_by_object) {
        if (std::find(std::begin(kOrder), std::end(kOrder), object) == std::end(kOrder)) {
            append(object, count);
        }
    }
    return text;
}

Result<DemoSummary> GenerateDemo(records::RecordService& records, const security::Actor& actor,
                                 const DemoOptions& options, const Progress& progress) {
    if (options.members < 0) {
        return Error::InvalidArgument("The number of members cannot be negative.", "members");
    }
    if (options.batch_size < 1) {
        return Error::InvalidArgument("The batch size must be at least 1.", "batch_size");
    }
    Generator generator(records, actor, options, progress);
    return generator.Run();
}

// Lines depend only on the seed and their index: the random sequence restarts every
// kBenchBlock indexes, and a call that starts inside a block replays (without writing) the lines
// before it. So PersonNdjson(s, 0, 1000) and PersonNdjson(s, 300, 100) agree on 300..399.

std::span<const std::string_view> Surnames() { return kSurnames; }

std::string PersonNdjson(std::uint64_t seed, std::int64_t first_index, std::int64_t count) {
    constexpr std::int64_t kBenchBlock = 256;
    std::string out;
    if (count <= 0) {
        return out;
    }
    out.reserve(static_cast<std::size_t>(count) * 340);
    const std::int64_t first_block =
        first_index >= 0 ? first_index / kBenchBlock : -((-first_index - 1) / kBenchBlock) - 1;
    Random rng(0);
    const std::string_view domains[] = {"example.com", "example.net", "example.org"};
    const std::string_view stages[] = {"member", "prospect", "applicant", "patient", "former"};
    json::serializer serializer;
    std::string scratch;
    for (std::int64_t index = first_block * kBenchBlock; index < first_index + count; ++index) {
        if (index % kBenchBlock == 0) {
            rng = Random(StreamSeed(seed, Stream::kBenchPerson,
                                    static_cast<std::uint64_t>(index / kBenchBlock)));
        }
        // Each line lives in a stack arena, so building it allocates nothing on the heap.
        unsigned char arena[2048];
        json::monotonic_resource resource(arena, sizeof(arena));
        json::object line(&resource);
        line.reserve(16);

        scratch.assign("bench-");
        scratch += std::to_string(index);
        line.emplace("sourceId", scratch);
        const bool female = rng.Chance(0.5);
        const std::string_view first = FirstName(rng, female);
        const std::string last = Surname(rng);
        line.emplace("firstName", first);
        if (rng.Chance(0.6)) {
            line.emplace("middleName", FirstName(rng, female));
        }
        line.emplace("lastName", last);
        const Day birth = kReferenceDate - rng.Between(0, 95 * 365);
        scratch.clear();
        AppendDate(scratch, birth);
        line.emplace("birthDate", scratch);
        line.emplace("gender", female ? "female" : "male");

        scratch.clear();
        AppendLower(scratch, first);
        scratch.push_back('.');
        AppendLower(scratch, last);
        scratch += std::to_string(index);
        scratch.push_back('@');
        scratch += rng.Pick(domains);
        line.emplace("email", scratch);

        const City& city = rng.Pick(kCities);
        scratch.assign("(");
        AppendPadded(scratch, static_cast<std::uint64_t>(city.area_code), 3);
        scratch += ") 555-";
        AppendPadded(scratch, static_cast<std::uint64_t>(rng.Int(0, 9999)), 4);
        line.emplace("phone", scratch);

        scratch.clear();
        scratch += std::to_string(rng.Int(1, 9899));
        scratch.push_back(' ');
        scratch += rng.Pick(kStreetNames);
        scratch.push_back(' ');
        scratch += rng.Pick(kStreetSuffixes);
        line.emplace("addressLine1", scratch);
        line.emplace("city", city.name);
        line.emplace("state", city.state);
        scratch.clear();
        AppendPadded(scratch, static_cast<std::uint64_t>(city.postal_code + rng.Int(0, 30)), 5);
        line.emplace("postalCode", scratch);
        line.emplace("country", "US");
        line.emplace("lifecycleStage", stages[rng.Weighted({80, 8, 4, 6, 2})]);

        if (index < first_index) {
            continue;  // replayed only to reach `first_index` in its block
        }
        serializer.reset(&line);
        char buffer[1024];
        while (!serializer.done()) {
            out.append(serializer.read(buffer));
        }
        out.push_back('\n');
    }
    return out;
}

}  // namespace p360::demo
