"""The practice blueprint: course plans, the weekly practice log (실습일지) and progress of approved placements."""
