"""The vocabulary of AI use (DOMAIN.md parts C and D3), as lower_snake_case values."""

from django.db import models


class Department(models.TextChoices):
    DEVELOPMENT_WRITING = "development_writing", "Development / writing"
    ART_CONCEPT = "art_concept", "Art department / concept"
    PREVIS = "previs", "Previs / storyboards"
    CASTING_SCANNING = "casting_scanning", "Casting / scanning"
    PRODUCTION_ONSET = "production_onset", "Production (on set)"
    VIRTUAL_PRODUCTION = "virtual_production", "Virtual production"
    VFX = "vfx", "VFX"
    EDITORIAL = "editorial", "Editorial"
    SOUND_DIALOGUE = "sound_dialogue", "Sound: dialogue"
    SOUND_MUSIC = "sound_music", "Sound: music"
    SOUND_FX = "sound_fx", "Sound: effects"
    LOCALIZATION = "localization", "Localisation"
    MARKETING = "marketing", "Marketing"
    DOCUMENTARY_ARCHIVAL = "documentary_archival", "Documentary / archival"
    OPERATIONS = "operations", "Operations"


class Category(models.TextChoices):
    """What the tool was used for. The label says it in a coordinator's words."""

    WRITING_IDEATION = "writing_ideation", "Writing: brainstorming, research"
    WRITING_GAI_MATERIAL_TO_WRITER = (
        "writing_gai_material_to_writer",
        "Writing: AI-generated material handed to a writer",
    )
    WRITING_SCRIPT_TEXT_IN_FINAL = (
        "writing_script_text_in_final",
        "Writing: AI text surviving in the shooting script",
    )
    SCRIPT_ANALYSIS = "script_analysis", "Script analysis (coverage, breakdowns, scheduling)"
    CONCEPT_ART = "concept_art", "Concept art"
    MOODBOARD = "moodboard", "Moodboard"
    PREVIS = "previs", "Previs"
    STORYBOARD = "storyboard", "Storyboard"
    ANIMATIC = "animatic", "Animatic"
    PERFORMER_SCAN = "performer_scan", "Performer scan (3D or voice capture for a replica)"
    REALTIME_FACE_SWAP = "realtime_face_swap", "Real-time face swap on set"
    VIRTUAL_PRODUCTION_BACKGROUND = (
        "virtual_production_background",
        "Generated LED-wall / background plate",
    )
    DEAGING = "deaging", "De-aging"
    AGING = "aging", "Aging"
    FACE_REPLACEMENT = "face_replacement", "Face replacement (stunt double, recast, deceased)"
    DIGITAL_DOUBLE = "digital_double", "Digital double (full body, unshot scenes)"
    CROWD_GENERATION = "crowd_generation", "Crowd generation / replicated background actors"
    SYNTHETIC_CHARACTER_HUMAN = "synthetic_character_human", "Synthetic human character"
    SYNTHETIC_CHARACTER_NONHUMAN = "synthetic_character_nonhuman", "Synthetic creature"
    SET_EXTENSION = "set_extension", "Set extension"
    MATTE_PAINTING = "matte_painting", "Matte painting"
    ENVIRONMENT_GEN = "environment_gen", "Environment generation"
    ROTO_CLEANUP_PAINT = "roto_cleanup_paint", "Roto, clean-up, paint, generative fill"
    UPSCALE_RESTORE = "upscale_restore", "Upscale, restore, denoise, interpolate"
    PLATE_GENERATION = "plate_generation", "Plate generation"
    SHOT_GENERATION = "shot_generation", "Shot generation (text/image to video)"
    ASSISTED_EDIT = "assisted_edit", "Assisted edit (transcription, logging, selects)"
    TEMP_MATERIAL = "temp_material", "Temp material (temp VO, music, VFX)"
    PERFORMANCE_EDIT = "performance_edit", "Performance edit (changing words or expressions)"
    VOICE_CLONE_NEW_LINES = "voice_clone_new_lines", "Voice clone: lines never recorded"
    ADR_VIA_REPLICA = "adr_via_replica", "ADR via a voice replica"
    ACCENT_PRONUNCIATION_REFINE = "accent_pronunciation_refine", "Accent / pronunciation refine"
    DIALOGUE_CLEANUP = "dialogue_cleanup", "Dialogue clean-up (noise reduction, de-reverb)"
    MUSIC_GENERATION = "music_generation", "Music generation"
    SFX_GENERATION = "sfx_generation", "Sound effects generation"
    AI_DUBBING = "ai_dubbing", "AI dubbing (synthetic voice in another language)"
    VISUAL_DUBBING_LIPSYNC = "visual_dubbing_lipsync", "Visual dubbing / lip-sync"
    SUBTITLES_TRANSLATION = "subtitles_translation", "Subtitles / translation"
    KEY_ART = "key_art", "Key art"
    TRAILER_GEN = "trailer_gen", "Trailer generation"
    SOCIAL_ASSETS = "social_assets", "Social assets"
    SYNTHETIC_ARCHIVAL = "synthetic_archival", "Synthetic 'archival' footage or photo"
    HUMAN_SIMULATION = "human_simulation", "Human simulation (documentary)"
    ARCHIVAL_ALTERATION = "archival_alteration", "Generative alteration of licensed archive"
    MODEL_TRAINING_ON_PRODUCTION_DATA = (
        "model_training_on_production_data",
        "Model training on production data",
    )
    OTHER = "other", "Other"


MARKETING_CATEGORIES = frozenset({Category.KEY_ART, Category.TRAILER_GEN, Category.SOCIAL_ASSETS})
VOICE_CATEGORIES = frozenset(
    {
        Category.VOICE_CLONE_NEW_LINES,
        Category.ADR_VIA_REPLICA,
        Category.ACCENT_PRONUNCIATION_REFINE,
        Category.AI_DUBBING,
        Category.VISUAL_DUBBING_LIPSYNC,
    }
)


class Modality(models.TextChoices):
    TEXT = "text", "Text"
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    AUDIO_VOICE = "audio_voice", "Audio: voice"
    AUDIO_MUSIC = "audio_music", "Audio: music"
    AUDIO_SFX = "audio_sfx", "Audio: effects"
    THREE_D = "three_d", "3D"
    PERFORMANCE_CAPTURE = "performance_capture", "Performance capture"
    MULTIMODAL = "multimodal", "Multimodal"


class GenerationKind(models.TextChoices):
    GENERATIVE = "generative", "Generative (creates new material)"
    ASSISTIVE = "assistive", "Assistive (enhances existing material)"
    TRADITIONAL = "traditional", "Traditional / operational AI"


class Disposition(models.TextChoices):
    IDEATION = "ideation", "Ideation only"
    TEMP = "temp", "Temp (replaced before final)"
    FINAL_BACKGROUND = "final_background", "In the final picture: background"
    FINAL_KEY = "final_key", "In the final picture: key element"
    MARKETING = "marketing", "Marketing"
    INTERNAL_TRAINING = "internal_training", "Internal training"


FINAL_DISPOSITIONS = frozenset({Disposition.FINAL_BACKGROUND, Disposition.FINAL_KEY})


class Realism(models.TextChoices):
    PHOTOREAL = "photoreal", "Photoreal"
    STYLIZED = "stylized", "Stylised"


class ReplicaKind(models.TextChoices):
    NONE = "none", "No replica"
    EBDR = "ebdr", "Employment-based digital replica"
    ICDR = "icdr", "Independently created digital replica"
    BACKGROUND_REPLICA = "background_replica", "Background actor replica"
    SYNTHETIC_PERFORMER = "synthetic_performer", "Synthetic performer"
    SYNTHETIC_WITH_RECOGNIZABLE_FEATURE = (
        "synthetic_with_recognizable_feature",
        "Synthetic performer with a recognisable feature",
    )
    DIGITAL_ALTERATION = "digital_alteration", "Digital alteration of a performance"
    DECEASED_REPLICA = "deceased_replica", "Replica of a deceased performer"


class AlterationPurpose(models.TextChoices):
    """The SAG-AFTRA 2023 exceptions to digital-alteration consent, and 'not excepted'."""

    COSMETICS = "cosmetics", "Cosmetics"
    WARDROBE = "wardrobe", "Wardrobe"
    NOISE_REDUCTION = "noise_reduction", "Noise reduction"
    TIMING_SPEED = "timing_speed", "Timing / speed"
    CONTINUITY = "continuity", "Continuity"
    PITCH_TONE = "pitch_tone", "Pitch / tone"
    VFX_SFX_FILTERS = "vfx_sfx_filters", "VFX / SFX filters"
    STANDARDS_PRACTICES = "standards_practices", "Standards and practices"
    RATINGS = "ratings", "Ratings"
    DIALOGUE_NARRATION_ADJUSTMENT = (
        "dialogue_narration_adjustment",
        "Dialogue / narration adjustment",
    )
    REDUBBING = "redubbing", "Redubbing"
    OTHER_SIMILAR = "other_similar", "Other similar"
    NOT_EXCEPTED = "not_excepted", "Not within an exception"


class IptcSourceType(models.TextChoices):
    """IPTC digital source types; the codes keep IPTC's own spelling."""

    ALGORITHMICALLY_ENHANCED = "algorithmicallyEnhanced", "Algorithmically enhanced"
    ALGORITHMIC_MEDIA = "algorithmicMedia", "Algorithmic media"
    COMPOSITE = "composite", "Composite"
    COMPOSITE_CAPTURE = "compositeCapture", "Composite of captures"
    COMPOSITE_SYNTHETIC = "compositeSynthetic", "Composite of synthetic elements"
    COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA = (
        "compositeWithTrainedAlgorithmicMedia",
        "Composite with generative AI elements",
    )
    DATA_DRIVEN_MEDIA = "dataDrivenMedia", "Data-driven media"
    DIGITAL_CREATION = "digitalCreation", "Digital creation"
    DIGITAL_CAPTURE = "digitalCapture", "Digital capture"
    HUMAN_EDITS = "humanEdits", "Human edits"
    NEGATIVE_FILM = "negativeFilm", "Negative film"
    POSITIVE_FILM = "positiveFilm", "Positive film"
    PRINT = "print", "Print"
    SCREEN_CAPTURE = "screenCapture", "Screen capture"
    TRAINED_ALGORITHMIC_MEDIA = "trainedAlgorithmicMedia", "Generative AI (trained algorithmic)"
    VIRTUAL_RECORDING = "virtualRecording", "Virtual recording"


class TrainingDataClaim(models.TextChoices):
    LICENSED_ONLY = "licensed_only", "Licensed data only"
    LICENSED_PLUS_PUBLIC_DOMAIN = "licensed_plus_public_domain", "Licensed and public domain"
    CUSTOMER_DATA_ONLY = "customer_data_only", "Customer data only"
    UNDISCLOSED = "undisclosed", "Undisclosed"
    WEB_SCRAPED_ADMITTED = "web_scraped_admitted", "Web-scraped (admitted)"
    DISPUTED_IN_LITIGATION = "disputed_in_litigation", "Disputed in litigation"


class Indemnity(models.TextChoices):
    CONTRACTUAL_ENTERPRISE = "contractual_enterprise", "Contractual (enterprise)"
    CONTRACTUAL_ALL_PAID = "contractual_all_paid", "Contractual (all paid plans)"
    NONE = "none", "None"
    UNKNOWN = "unknown", "Unknown"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    PARTIAL = "partial", "Partial"
    UNKNOWN = "unknown", "Unknown"


class ConsentType(models.TextChoices):
    EBDR_CREATE = "ebdr_create", "Create an employment-based replica (scan)"
    EBDR_USE = "ebdr_use", "Use an employment-based replica"
    EBDR_OTHER_PROJECT = "ebdr_other_project", "Use a replica in another project"
    ICDR = "icdr", "Independently created replica"
    BG_REPLICA_OTHER_USE = "bg_replica_other_use", "Background replica, other use"
    DIGITAL_ALTERATION = "digital_alteration", "Digital alteration of a performance"
    SYNTH_FEATURE_USE = "synth_feature_use", "Recognisable feature in a synthetic performer"
    VOICE_CLONE = "voice_clone", "Voice clone"
    DUB_LANGUAGE = "dub_language", "Dubbing into a language"
    TRAINING_USE = "training_use", "Training a model"
    MARKETING_COMMERCIAL_RIDER = "marketing_commercial_rider", "Marketing (commercials rider)"
    IATSE_SCAN = "iatse_scan", "Crew scan (IATSE)"


class GrantedBy(models.TextChoices):
    PERFORMER = "performer", "The performer"
    GUARDIAN = "guardian", "A guardian"
    ESTATE_REP = "estate_rep", "The estate's representative"
    UNION = "union", "The union"


class Medium(models.TextChoices):
    PRODUCTION = "production", "The production itself"
    MARKETING = "marketing", "Marketing"
