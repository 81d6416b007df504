#!/usr/bin/perl
# Summarises a SyTest run: passed of all tests per area as a Markdown table, then the failures
# not in the expected-failures list and the listed tests that passed, one "- " line each.
#   summarise.pl results.tap progress.log expected-failures.txt
use strict;
use warnings;

my ( $tap, $progress, $expected ) = @ARGV;

# progress.log names each test file before its tests; the TAP has only test numbers and names.
my ( %file_of, $file );
open my $ph, "<", $progress or die "$progress: $!\n";
while ( <$ph> ) {
   if ( m{^tests/(\S+)\.pl:$} ) { $file = $1 }
   elsif ( m{^    Test (\d+) } and defined $file ) { $file_of{$1} = $file }
}

my %listed;
open my $eh, "<:encoding(UTF-8)", $expected or die "$expected: $!\n";
while ( <$eh> ) {
   chomp;
   s/#.*//;
   s/^\s+|\s+$//g;
   $listed{$_} = 1 if length;
}

my ( %count, @unlisted, @passing, $plan );
open my $th, "<:encoding(UTF-8)", $tap or die "$tap: $!\n";
while ( <$th> ) {
   $plan = $1 if m/^1\.\.(\d+)$/;
   my ( $ok, $num, $name ) = m/^(ok|not ok) (\d+) (?:\(expected fail\) )?(.*)$/ or next;
   my $outcome = $name =~ s/ # skip .*$// ? "skipped" : $ok eq "ok" ? "passed" : "failed";
   $name =~ s/ # TODO .*$//;
   $name =~ s/ \(\d+ subtests\)$//;
   my $area = ( split m{/}, $file_of{$num} // "?" )[0];
   $count{$area}{$outcome}++;
   push @unlisted, "$name ($area)" if $outcome eq "failed" and !$listed{$name};
   push @passing, "$name ($area)" if $outcome eq "passed" and $listed{$name};
}

print "| area | passed / total | % | failed | skipped |\n|---|---:|---:|---:|---:|\n";
my %total;
sub row {
   my ( $name, $p, $f, $s ) = @_;
   my $t = $p + $f + $s;
   printf "| %s | %d / %d | %s | %d | %d |\n", $name, $p, $t, $t ? sprintf( "%.1f", 100 * $p / $t ) : "-", $f, $s;
}
for my $area ( sort keys %count ) {
   row( $area, map { $count{$area}{$_} // 0 } qw( passed failed skipped ) );
   next if $area eq "50federation";
   $total{$_} += $count{$area}{$_} // 0 for qw( passed failed skipped );
}
row( "**all but 50federation**", @total{qw( passed failed skipped )} );
print "\n", defined $plan ? "The run completed.\n" : "The run ended early (no TAP plan line; see progress.log).\n";
print "\nFailed but not in the expected-failures list:\n", map { "- $_\n" } @unlisted if @unlisted;
print "\nIn the expected-failures list but passed (remove them):\n", map { "- $_\n" } @passing if @passing;
