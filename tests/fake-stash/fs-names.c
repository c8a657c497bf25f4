/* fs-names.c - word pools for the library generator. All names are
 * invented; some deliberately carry diacritics or are common English words,
 * because those are what trips up filename matching. */
#include "fs-internal.h"

#define POOL(name, ...)                                                                  \
    static const char *const name##_v[] = {__VA_ARGS__};                                \
    const fs_pool name = {name##_v, sizeof(name##_v) / sizeof(name##_v[0])}

POOL(fs_first_names, "Mia", "Lena", "Ava", "Nora", "Ivy", "Chloé", "Renée", "Anaïs", "Noémie",
     "Léa", "Inès", "Maëlle", "Zoë", "Clara", "Elena", "Sofia", "Lucia", "Marta", "Greta",
     "Hanna", "Freya", "Astrid", "Ingrid", "Sienna", "Kira", "Tessa", "Vera", "Nina", "Lola",
     "Rosa", "Della", "Juno", "Cleo", "Maya", "Lia", "Tara", "Dana", "Alina", "Karina", "Olivia",
     "Emma", "Paige", "Holly", "Megan", "Daisy", "Lexi", "Riley", "Jenna", "Kayla", "Brianna",
     "Marco", "Lukas", "Jonas", "Mateo", "Hugo", "Nico", "Felix", "Oskar", "Bruno", "Dario",
     "Adrián", "Tomás", "Ruairí", "Søren", "Björn", "Ezra", "Milo", "Theo", "Axel", "Rafael");

POOL(fs_last_names, "Lane", "Ĺane", "Moreau", "Novák", "Dvořák", "Sørensen", "Müller", "Kovač",
     "Rivers", "Stone", "Hart", "Vale", "Frost", "Reyes", "Castillo", "Moretti", "Ricci",
     "Bianchi", "Lindqvist", "Halvorsen", "Nyström", "Fontaine", "Delacroix", "Laurent",
     "Marchetti", "Kowalski", "Wójcik", "Horvath", "Petrova", "Ivanova", "Brooks", "Hayes",
     "Quinn", "Rhodes", "Sloane", "Monroe", "Vance", "Wilde", "Knight", "Fox", "Black", "White",
     "Gray", "Cross", "Blake", "Steele", "Vega", "Luna", "Cruz", "Santos", "Silva", "Costa",
     "Ferreira", "Oliveira", "Nakamura", "Tanaka", "Kimura", "Park", "Cho", "Lee", "Nguyen",
     "Tran", "Okafor", "Mensah", "O'Neill", "McKay", "De Luca", "Van Dijk", "Le Roux", "St. James");

/* Single-word stage names; most are ordinary words, the classic source of
 * auto-tag false positives. */
POOL(fs_single_names, "Jade", "Summer", "Raven", "Angel", "Honey", "Star", "Rain", "Sky", "Amber",
     "Crystal", "Destiny", "Harmony", "Brooklyn", "Storm", "Echo", "Misty", "Pepper", "Cherry",
     "Sage", "Autumn", "Bambi", "Cinnamon", "Velvet", "Lotus");

POOL(fs_studio_first, "Velvet", "Crimson", "Moonlit", "Golden", "Silver", "Harbor", "Neon",
     "Midnight", "Azure", "Wildflower", "Urban", "Coastal", "Hidden", "Sunset", "Electric",
     "Pacific", "Northern", "Royal", "Scarlet", "Vivid", "Amber", "Obsidian", "Ivory", "Cobalt",
     "Starlight", "Lavender", "Copper", "Emerald", "Twilight", "Paper", "Polar", "Marble",
     "Saffron", "Indigo", "Hollow", "Bright", "Quiet", "Lucky", "Pine", "Ember");

POOL(fs_studio_second, "Reels", "Pictures", "Films", "Studios", "Media", "Productions", "Cinema",
     "Lens", "Frames", "House", "Works", "Society", "Club", "Lab", "Vision", "Stories", "Tapes",
     "Network", "Collective", "Motion");

POOL(fs_title_words_a, "Summer", "Midnight", "Secret", "Lazy", "Golden", "Rainy", "Endless",
     "Sweet", "Wild", "Quiet", "Lost", "First", "Last", "Perfect", "Hidden", "Electric", "Velvet",
     "Crystal", "Sunday", "Private", "Second", "Little", "Late", "Early", "Winter", "Open",
     "Slow", "Bright", "Stolen", "Honey");

POOL(fs_title_words_b, "Afternoon", "Escape", "Getaway", "Lesson", "Visit", "Promise", "Affair",
     "Session", "Weekend", "Surprise", "Encounter", "Desire", "Dream", "Rendezvous", "Holiday",
     "Audition", "Reunion", "Workout", "Road Trip", "Nights", "Morning", "Interview", "Dance",
     "Portrait", "Sunset", "Secrets", "Game", "Date", "Delivery", "Retreat");

POOL(fs_tag_names, "Interview", "Behind The Scenes", "Outdoor", "Beach", "Pool", "Kitchen",
     "Office", "Roleplay", "POV", "Compilation", "Solo", "Couple", "Massage", "Dance", "Lingerie",
     "Blonde", "Brunette", "Redhead", "Tattoo", "Amateur", "Casting", "Vintage", "Romantic",
     "Music Video", "Parody", "Cosplay", "Fitness", "Yoga", "Shower", "Bath", "Car", "Hotel",
     "Camping", "Nightclub", "Costume", "Sci-Fi", "Comedy", "Drama", "4K", "1080p", "720p",
     "480p", "60fps", "VR", "HDR", "Widescreen");

POOL(fs_codecs, "h264", "h264", "h264", "h264", "h264", "h264", "hevc", "hevc", "hevc", "av1",
     "vp9", "mpeg4");
