import HFTStream
import Testing

// Tests of the stream runtime live in the other files of this target.
